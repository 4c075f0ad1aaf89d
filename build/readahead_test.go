package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/peerpress/peerpress/internal/par"
)

// TestReadAhead: every file with a path is handed out once, with its own
// contents or its own error, to workers taking them in par.Do's order,
// for any number of readers and window (down to one file ahead), and
// close ends it whether or not everything was taken.
func TestReadAhead(t *testing.T) {
	fsys := fstest.MapFS{}
	var paths []string
	for k := range 200 {
		p := fmt.Sprintf("f%03d", k)
		switch {
		case k%7 == 3:
			p = "" // not read
		case k%11 == 5:
			p = "missing" + p
		default:
			fsys[p] = &fstest.MapFile{Data: []byte("data of " + p)}
		}
		paths = append(paths, p)
	}
	for _, tt := range []struct{ readers, window, workers int }{{1, 1, 1}, {1, 1, 2}, {8, 64, 2}, {3, 2, 4}, {2, 500, 3}} {
		a := startReadAhead(fsys, paths, tt.readers, tt.window)
		par.Do(context.Background(), tt.workers, len(paths), func(_, k int) {
			if paths[k] == "" {
				return
			}
			data, err := a.take(k)
			if _, exists := fsys[paths[k]]; !exists {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%+v: %s: err %v, want not exist", tt, paths[k], err)
				}
				return
			}
			if err != nil || string(data) != "data of "+paths[k] {
				t.Errorf("%+v: %s: %q, %v", tt, paths[k], data, err)
			}
		})
		a.close()
	}
	// Stopped early: close returns though files were read and never taken.
	a := startReadAhead(fsys, paths, 2, 8)
	if data, err := a.take(0); err != nil || string(data) != "data of f000" {
		t.Fatalf("first file: %q, %v", data, err)
	}
	a.close()
}

// panicFS panics when a file is opened, as a broken fs.FS given to Build
// might.
type panicFS struct{}

func (panicFS) Open(name string) (fs.File, error) { panic("open " + name) }

// TestReadAheadPanic: a panic while reading becomes that file's error
// instead of taking the process down.
func TestReadAheadPanic(t *testing.T) {
	a := startReadAhead(panicFS{}, []string{"a.md", "b.md"}, 2, 2)
	defer a.close()
	for k := range 2 {
		if _, err := a.take(k); err == nil || !strings.Contains(err.Error(), "internal error") {
			t.Errorf("take(%d): %v, want the panic as an error", k, err)
		}
	}
}
