//go:build unix

package main

import (
	"context"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestMeasureOnce runs this test binary as a child that allocates and
// touches 64 MiB and burns CPU, and checks the measurement sees both.
func TestMeasureOnce(t *testing.T) {
	if os.Getenv("PEERPRESS_BENCH_CHILD") != "" {
		b := make([]byte, 64<<20)
		for i := range b {
			b[i] = byte(i)
		}
		// Spin until this process has used 200ms of CPU (not of wall
		// time, which a loaded machine stretches).
		for selfCPU() < 200*time.Millisecond {
		}
		os.Exit(int(b[len(b)-1]) & 0) // keep b alive
	}
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("peak RSS is read from getrusage on Linux and macOS only")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PEERPRESS_BENCH_CHILD", "1")
	m, err := measureOnce(context.Background(), exe, "-test.run=^TestMeasureOnce$")
	if err != nil {
		t.Fatal(err)
	}
	if m.rss < 64<<20 || m.rss > 1<<30 {
		t.Errorf("peak RSS %d bytes; the child touched 64 MiB", m.rss)
	}
	if m.cpu < 150*time.Millisecond || m.wall < m.cpu/2 {
		t.Errorf("cpu %v, wall %v; the child spun for 200ms", m.cpu, m.wall)
	}
	if _, err := measureOnce(context.Background(), exe, "-test.run=^TestNoSuchTest$", "-test.bogusflag"); err == nil {
		t.Error("a failing child was not reported")
	}
}

// selfCPU is the user+system CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
