//go:build !linux

package build

import (
	"io/fs"
	"os"
)

// syncFile fsyncs a file as it is written.
func syncFile(f *os.File) error { return f.Sync() }

// syncTree fsyncs every directory of the stage (the files were synced
// as they were written).
func syncTree(s *stage) error {
	root := s.root
	return fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		f, err := root.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

// syncIsOneCall: syncTree walks and fsyncs every directory.
const syncIsOneCall = false

// dropsCache: dropCached does nothing here, so a stage closes each file
// as soon as it is written.
const dropsCache = false

// dropCached does nothing here.
func dropCached(*os.File) {}

func openFileLimit() int { return 256 }

// lockFile does nothing here: on systems without flock in this build, two
// builds committing to one cache pack at once may leave it unreadable,
// which makes the next build cold (each entry's CRC guards its bytes).
func lockFile(*os.File) error { return nil }
