//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSS returns a finished process's peak resident set in bytes, from
// getrusage's ru_maxrss (kilobytes, but bytes on macOS).
func peakRSS(st *os.ProcessState) int64 {
	ru, ok := st.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}

// syncFS flushes every file system (sync(2)).
func syncFS() { syscall.Sync() }
