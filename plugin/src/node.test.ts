// The scripts run on the Node that package.json's devDependencies bring (create-plugin requires 22 or
// later), whatever the system's node is: npm puts node_modules/.bin first on PATH.
describe('Node', () => {
  it('is version 22 or later', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  });
});
