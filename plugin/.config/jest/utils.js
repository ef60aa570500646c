// Packages Grafana's libraries depend on that ship only ES modules: jest must transform them.
const grafanaESModules = [
  '.pnpm',
  '@grafana/schema',
  '@wojtekmaj/date-utils',
  'd3',
  'd3-color',
  'd3-force',
  'd3-interpolate',
  'd3-scale-chromatic',
  'get-user-locale',
  'marked',
  'memoize',
  'mimic-function',
  'ol',
  'react-calendar',
  'react-colorful',
  'rxjs',
  'uuid',
];

const nodeModulesToTransform = (names) => `node_modules/(?!.*(${names.join('|')})/.*)`;

module.exports = { grafanaESModules, nodeModulesToTransform };
