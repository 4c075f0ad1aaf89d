// Package themes embeds the default theme, used when a site has no
// themes/<name> directory of its own.
package themes

import (
	"embed"
	"io/fs"
)

//go:embed all:default
var files embed.FS

// Default returns the default theme: layouts/ (templates) and static/ (assets).
func Default() fs.FS {
	sub, err := fs.Sub(files, "default")
	if err != nil {
		panic(err) // the directory is embedded at compile time
	}
	return sub
}
