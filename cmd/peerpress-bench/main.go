// Command peerpress-bench generates synthetic blogs and times peerpress
// (and Hugo, when it is installed) on them.
//
// Usage:
//
//	peerpress-bench gen  [-n 10000] [-seed 1] [-hugo] -out DIR
//	peerpress-bench run  [-sizes 1000,10000,100000] [-runs 1] [-seed 1] [-dir TMPDIR] [-peerpress BIN] [-hugo BIN|none] [-hugo-max 10000] [-keep]
//	peerpress-bench prof [-check] [-cpuprofile FILE] [-memprofile FILE [-heap-at DURATION]] [-trace FILE] [-now TIME] [-out DIR [-code-cache FILE]] SITE
//
// gen writes a policy-clean site of n posts (internal/sitegen); with -hugo,
// the same corpus as a Hugo site.
//
// run generates a corpus of each size, then runs `peerpress check` and
// `peerpress build` on it, and `hugo` on the Hugo variant, each as a child
// process, and prints a table of wall time, CPU time (user+sys) and peak
// resident memory (getrusage ru_maxrss of the child). The build runs cold
// (no code cache) and again warm (with the cache the cold build left, as a
// rebuild has). With -runs N each command runs N times and the median wall
// time is shown. Generation time is not measured. Without -peerpress the
// command builds ./cmd/peerpress first (run it from the repository root);
// without -hugo it looks for hugo on $PATH and in $GOPATH/bin and skips
// Hugo when there is none (or with -hugo none).
//
// prof runs the build (or, with -check, the check alone) in process with
// runtime/pprof profiling, for `go tool pprof`.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "gen":
		return runGen(args[1:], stdout, stderr)
	case "run":
		return runBench(ctx, args[1:], stdout, stderr)
	case "prof":
		return runProf(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "peerpress-bench: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `peerpress-bench generates synthetic blogs and times peerpress and Hugo on them.

Usage:
  peerpress-bench gen  [-n 10000] [-seed 1] [-hugo] -out DIR
  peerpress-bench run  [-sizes 1000,10000,100000] [-runs 1] [-seed 1] [-dir TMPDIR] [-peerpress BIN] [-hugo BIN|none] [-hugo-max 10000] [-keep]
  `+profUsage+`
`)
}

const profUsage = "peerpress-bench prof [-check] [-cpuprofile FILE] [-memprofile FILE [-heap-at DURATION]] [-trace FILE] [-now TIME] [-out DIR [-code-cache FILE]] SITE"
