package markdown

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// codeOutput records, for this renderer's format version (the first word
// of codeVersion), the SHA-256 of the golden testdata/code.html. A change
// to how blocks are highlighted changes that golden file (TestGolden); this
// test then fails until the format version is bumped, so that no
// persistent CodeCache serves HTML made the old way. (New chroma or
// regexp2 versions change codeVersion by themselves; record the new hash.)
var codeOutput = map[string]string{
	"peerpress-code-1": "944dfb7aca3321743782f26eb44f7f8acfd69815b5ec08f897a6bd5cc5d79347",
}

func TestCodeVersionTracksOutput(t *testing.T) {
	data, err := os.ReadFile("testdata/code.html")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	version, _, _ := strings.Cut(codeVersion, " ")
	if got := hex.EncodeToString(sum[:]); codeOutput[version] != got {
		t.Errorf("testdata/code.html has changed (sha256 %s) under %s: bump the version in codeVersion and record the new hash in codeOutput, or caches keep the old HTML", got, version)
	}
}
