// Command cxm is CXM's one binary: `cxm <command> [flags]`. Each command lives in a file of its own.
package main

import "os"

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }
