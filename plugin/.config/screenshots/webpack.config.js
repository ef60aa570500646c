// Bundles harness.tsx with everything in it (no Grafana to provide the shared libraries) for the
// screenshots: make screenshots.
const path = require('path');

const root = path.resolve(__dirname, '../..');

module.exports = {
  mode: 'development',
  devtool: false,
  entry: path.join(__dirname, 'harness.tsx'),
  output: { path: path.join(root, 'dist-screenshots'), filename: 'harness.js', clean: true },
  resolve: { extensions: ['.ts', '.tsx', '.js', '.jsx', '.mjs'], modules: [path.join(root, 'src'), 'node_modules'] },
  module: {
    rules: [
      {
        test: /\.[tj]sx?$/,
        exclude: /node_modules/,
        use: { loader: 'swc-loader', options: { jsc: { target: 'es2020', parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } } },
      },
      { test: /\.m?js$/, resolve: { fullySpecified: false } },
      { test: /\.(css)$/, type: 'asset/source' },
      { test: /\.(svg|png|woff2?|ttf|eot)$/, type: 'asset/resource' },
    ],
  },
  performance: { hints: false },
};
