//go:build !unix

package main

import "os"

// peakRSS is not measured on this system.
func peakRSS(*os.ProcessState) int64 { return 0 }

// syncFS does nothing where sync(2) is not available.
func syncFS() {}
