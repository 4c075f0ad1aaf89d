// Command peerpress builds a company engineering blog from Markdown and
// refuses to publish a post that breaks the disclosure policy.
//
// Usage:
//
//	peerpress build   [-site DIR] [-out DIR] [-audience public|internal] [-now RFC3339] [-drafts] [-baseurl URL] [-v]
//	peerpress check   [-site DIR] [-format text|json|sarif|github] [-sarif FILE] [-now RFC3339] [-changed-since REV] [-approvals FILE] [-head SHA] [-explain RULE] [PATH...]
//	peerpress serve   [-site DIR] [-addr 127.0.0.1:1313]
//	peerpress new     [-site DIR] [-author ID] TITLE
//	peerpress share   [-site DIR] [-format text|json] POST
//	peerpress version
//
// Exit codes: 0 success (warnings allowed); 1 error-level findings or a
// content error; 2 a usage error or a broken site.yaml or policy file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/peerpress/peerpress/build"
	"github.com/peerpress/peerpress/build/source"
)

// version is set at link time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

type command struct {
	name, args, summary string
	run                 func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"build", "[-site DIR] [-out DIR] [-audience public|internal] [-now TIME] [-drafts] [-baseurl URL] [-v]", "check the policy, then render the site into -out", runBuild},
		{"check", "[-site DIR] [-format text|json|sarif|github] [-sarif FILE] [-now TIME] [-changed-since REV] [-approvals FILE] [-head SHA] [-explain RULE] [PATH...]", "run the policy check alone and report every problem at file:line", runCheck},
		{"serve", "[-site DIR] [-addr 127.0.0.1:1313]", "preview the site live, with policy problems shown in the page", runServe},
		{"new", "[-site DIR] [-author ID] TITLE", "scaffold content/posts/<slug>.md with every required key", runNew},
		{"share", "[-site DIR] [-format text|json] POST", "print a post's share snippets", runShare},
		{"codename", "add [-site DIR] NAME", "add a codename to the policy's salted hash list", runCodename},
		{"version", "", "print the version", func(_ context.Context, args []string, stdout, stderr io.Writer) int {
			if len(args) > 0 {
				fmt.Fprintf(stderr, "peerpress version: unexpected argument %q\n", args[0])
				return exitUsage
			}
			fmt.Fprintln(stdout, "peerpress", version)
			return exitOK
		}},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "peerpress builds an engineering blog from Markdown and checks every post against the disclosure policy.\n\nUsage: peerpress COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'peerpress COMMAND -h' for a command's flags.\nExit codes: 0 ok, 1 policy errors or content errors, 2 usage or configuration errors.\n")
}

// run is main without the process: it parses args, runs one command and
// returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	case "-version", "--version":
		args[0] = "version"
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "peerpress: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

// newFlags returns a FlagSet whose -h output explains the command.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		for _, c := range commands() {
			if c.name == name {
				fmt.Fprintf(stderr, "Usage: peerpress %s %s\n\n%s.\n\nFlags:\n", name, c.args, strings.ToUpper(c.summary[:1])+c.summary[1:])
			}
		}
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and returns the exit code to stop with, or -1 to go on.
// Flags may come after the other arguments too (check a.md -format json),
// as with most command-line tools; "--" ends the flags. fs.Args() are then
// the other arguments, in order.
func parseFlags(fs *flag.FlagSet, args []string) int {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			return exitUsage
		}
		left := fs.Args()
		if len(left) == 0 {
			break
		}
		if n := len(args) - len(left); n > 0 && args[n-1] == "--" {
			rest = append(rest, left...)
			break
		}
		rest, args = append(rest, left[0]), left[1:]
	}
	fs.Parse(append([]string{"--"}, rest...)) // cannot fail: only arguments
	return -1
}

// siteDir checks that -site names a directory, so that a mistyped path is
// reported as such rather than as missing policy files; it returns the
// exit code to stop with, or -1 to go on.
func siteDir(cmd, dir string, stderr io.Writer) int {
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "peerpress %s: -site %s is not a directory (it does not exist)\n", cmd, dir)
		return exitUsage
	case !fi.IsDir():
		fmt.Fprintf(stderr, "peerpress %s: -site %s is not a directory\n", cmd, dir)
		return exitUsage
	}
	return -1
}

// parseNow parses -now: RFC 3339 or a date; empty means the current time.
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	t, err := source.ParseDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("-now: %v", err)
	}
	return t, nil
}

// exitFor maps an error from the build package to an exit code, printing it.
func exitFor(err error, stderr io.Writer) int {
	var ce *build.ConfigError
	if errors.As(err, &ce) {
		printErr(stderr, ce.Err)
		return exitUsage
	}
	printErr(stderr, err)
	return exitFindings
}

// printErr prints each joined error on its own line.
func printErr(w io.Writer, err error) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			printErr(w, e)
		}
		return
	}
	fmt.Fprintf(w, "%v\n", err)
}
