package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
)

// Write puts outputs in place at dir: they are written to a temporary
// directory beside dir through os.Root (which refuses paths that escape it),
// each file fsynced, and the directory then swapped in for the old one. On
// any failure the previous contents of dir are left exactly as they were.
func Write(ctx context.Context, dir string, outputs []Output) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-")
	if err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	defer root.Close()
	made := map[string]bool{".": true}
	for _, o := range outputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if d := path.Dir(o.Path); !made[d] {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("write %s: %w", o.Path, err)
			}
			made[d] = true
		}
		if err := writeFile(root, o); err != nil {
			return fmt.Errorf("write %s: %w", o.Path, err)
		}
	}
	if err := syncDir(tmp); err != nil {
		return err
	}
	return swap(tmp, dir)
}

func writeFile(root *os.Root, o Output) error {
	f, err := root.OpenFile(o.Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(o.Data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// swap replaces dir with tmp: the old dir is moved aside, tmp renamed into
// place, and the old one removed; if the second rename fails the old dir is
// moved back.
func swap(tmp, dir string) error {
	old := ""
	if _, err := os.Lstat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("replace %s: %w", dir, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	syncDir(filepath.Dir(dir))
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}
