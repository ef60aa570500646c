// The create-plugin layout: project settings extend .config/jest.config.js.
module.exports = {
  ...require('./.config/jest.config'),
};
