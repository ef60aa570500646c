// Bundles src/module.ts as the AMD module Grafana loads, with Grafana's shared libraries as externals,
// and copies plugin.json, the images, the README, the CHANGELOG and the LICENSE into dist/ (as create-plugin's
// webpack config does).
const path = require('path');
const CopyWebpackPlugin = require('copy-webpack-plugin');
const pkg = require('../package.json');
const pluginJson = require('../src/plugin.json');

const root = path.resolve(__dirname, '..');

const externals = [
  { 'amd-module': 'module' },
  'lodash',
  'moment',
  'emotion',
  '@emotion/react',
  '@emotion/css',
  'react',
  'react/jsx-runtime',
  'react-dom',
  'react-redux',
  'redux',
  'rxjs',
  'rxjs/operators',
  'i18next',
  'react-router',
  'd3',
  /^@grafana\/ui/i,
  /^@grafana\/runtime/i,
  /^@grafana\/data/i,
];

module.exports = (env) => ({
  context: path.join(root, 'src'),
  mode: env.production ? 'production' : 'development',
  devtool: env.production ? 'source-map' : 'eval-source-map',
  entry: { module: './module.ts' },
  externals,
  output: {
    clean: { keep: /gpx_|go_plugin_build_manifest/ }, // the backend's, built by mage
    filename: '[name].js',
    library: { type: 'amd' },
    path: path.join(root, 'dist'),
    publicPath: `public/plugins/${pluginJson.id}/`,
    uniqueName: pluginJson.id,
  },
  resolve: { extensions: ['.ts', '.tsx', '.js', '.jsx'], modules: [path.join(root, 'src'), 'node_modules'] },
  module: {
    rules: [
      {
        test: /\.[tj]sx?$/,
        exclude: /node_modules/,
        use: {
          loader: 'swc-loader',
          options: { jsc: { baseUrl: path.join(root, 'src'), target: 'es2015', loose: false, parser: { syntax: 'typescript', tsx: true } } },
        },
      },
      { test: /\.svg$/, type: 'asset/resource', generator: { filename: 'img/[name][ext]' } },
    ],
  },
  plugins: [
    new CopyWebpackPlugin({
      patterns: [
        {
          from: 'plugin.json',
          to: '.',
          transform: (content) =>
            content
              .toString()
              .replace('%VERSION%', pkg.version)
              .replace('%TODAY%', new Date().toISOString().substring(0, 10)),
        },
        { from: 'img/**/*', to: '.' },
        { from: '../README.md', to: '.' },
        { from: '../CHANGELOG.md', to: '.' },
        // The project's licence, at the repository root.
        { from: '../../LICENSE', to: '.' },
      ],
    }),
  ],
  performance: { hints: false },
});
