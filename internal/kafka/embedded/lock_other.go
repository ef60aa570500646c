//go:build !unix

package embedded

// lockDir is a no-op where flock is unavailable: running two brokers on one directory is then on the user.
func lockDir(string) (func(), error) { return func() {}, nil }
