package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/peerpress/peerpress/internal/sitegen"
)

func runGen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 10000, "number of posts")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same site")
	hugo := fs.Bool("hugo", false, "write the corpus as a Hugo site")
	out := fs.String("out", "", "output `DIR` (required)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 || *n < 0 {
		fmt.Fprintln(stderr, "usage: peerpress-bench gen [-n N] [-seed S] [-hugo] -out DIR")
		return 2
	}
	if ents, err := os.ReadDir(*out); err == nil && len(ents) > 0 {
		// Writing over an older corpus would leave its extra posts behind.
		fmt.Fprintf(stderr, "peerpress-bench gen: %s is not empty; give a new directory or remove it first\n", *out)
		return 2
	}
	start := time.Now()
	write := sitegen.Write
	kind := "peerpress"
	if *hugo {
		write, kind = sitegen.WriteHugo, "Hugo"
	}
	if err := write(*out, *n, *seed); err != nil {
		fmt.Fprintf(stderr, "peerpress-bench gen: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote a %s site of %d posts to %s in %s", kind, *n, *out, time.Since(start).Round(time.Millisecond))
	if *hugo {
		fmt.Fprintln(stdout, " (build it with: hugo --source DIR)")
	} else {
		fmt.Fprintf(stdout, " (check and build it with -now %s)\n", sitegen.Now)
	}
	return 0
}
