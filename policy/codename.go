package policy

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/peerpress/peerpress/build/source"
)

// maxCodename is the longest normalised codename, in bytes. Windows of text
// longer than this are not hashed.
const maxCodename = 64

// parseCodenames reads a codenames file:
//
//	# comments
//	salt: <hex>
//	<64-hex sha256(salt + "\n" + name)>
//
// where name is the lower-cased codename with single spaces.
func parseCodenames(name string, data []byte) (map[[32]byte]bool, string, *source.Error) {
	set := map[[32]byte]bool{}
	salt := ""
	saltLine := 0
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		pos := source.Pos{Line: i + 1, Col: 1}
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "salt:"):
			if saltLine != 0 {
				return nil, "", source.Errorf(name, pos, "salt is repeated (first at line %d); a codenames file has one salt", saltLine)
			}
			salt, saltLine = strings.TrimSpace(strings.TrimPrefix(l, "salt:")), i+1
			if _, err := hex.DecodeString(salt); err != nil || len(salt) < 16 {
				return nil, "", source.Errorf(name, pos, "salt must be at least 16 hex digits")
			}
		default:
			b, err := hex.DecodeString(strings.ToLower(l))
			if err != nil || len(b) != 32 {
				return nil, "", source.Errorf(name, pos, "expected a 64-digit hex SHA-256, a salt: line or a # comment; add codenames with `peerpress codename add NAME`, never in plain text")
			}
			set[[32]byte(b)] = true
		}
	}
	if len(set) > 0 && salt == "" {
		return nil, "", source.Errorf(name, source.Pos{Line: 1, Col: 1}, "codename hashes without a salt: line; the hashes cannot be checked")
	}
	return set, salt, nil
}

// normalizeCodename returns the form of a codename that is hashed: its
// words (as the text scanner splits them), lower-cased, joined by single
// spaces.
func normalizeCodename(name string) (string, error) {
	words := tokenWords(name)
	if len(words) == 0 || len(words) > 3 {
		return "", fmt.Errorf("codename %q must have 1 to 3 words", name)
	}
	stop := map[string]bool{}
	for _, w := range strings.Fields(stopWordList) {
		stop[w] = true
	}
	var kept []string
	for _, w := range words {
		if !stop[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) < len(words) {
		return "", fmt.Errorf("codename %q contains the common word %q, which the scanner skips (see the policy package doc); add a codename without common words, such as its distinctive part", name, firstStop(words, stop))
	}
	n := strings.Join(words, " ")
	if len(n) > maxCodename {
		return "", fmt.Errorf("codename %q is longer than %d bytes", name, maxCodename)
	}
	return n, nil
}

func firstStop(words []string, stop map[string]bool) string {
	for _, w := range words {
		if stop[w] {
			return w
		}
	}
	return ""
}

// codenameHash is sha256(salt + "\n" + name).
func codenameHash(salt, name string) [32]byte {
	return sha256.Sum256([]byte(salt + "\n" + name))
}

// AddCodename adds the salted hash of name to the codenames file at path (an
// OS path), creating the file and its salt if needed. The codename itself is
// never written. Adding a codename that is already listed changes nothing.
func AddCodename(path string, name string) (added bool, err error) {
	norm, err := normalizeCodename(name)
	if err != nil {
		return false, err
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("add codename: %w", err)
	}
	set, salt, perr := parseCodenames(filepath.ToSlash(path), data)
	if perr != nil {
		return false, perr
	}
	var out bytes.Buffer
	if len(data) == 0 {
		out.WriteString("# Codenames, salted and hashed: never list them in plain text.\n# Add one with: peerpress codename add NAME\n")
	} else {
		out.Write(data)
		if !bytes.HasSuffix(data, []byte("\n")) {
			out.WriteByte('\n')
		}
	}
	if salt == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return false, fmt.Errorf("add codename: make salt: %w", err)
		}
		salt = hex.EncodeToString(b[:])
		out.WriteString("salt: " + salt + "\n")
	}
	h := codenameHash(salt, norm)
	if set[h] {
		return false, nil
	}
	out.WriteString(hex.EncodeToString(h[:]) + "\n")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, fmt.Errorf("add codename: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".codenames-*")
	if err != nil {
		return false, fmt.Errorf("add codename: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out.Bytes()); err != nil {
		tmp.Close()
		return false, fmt.Errorf("add codename: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fmt.Errorf("add codename: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("add codename: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return false, fmt.Errorf("add codename: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return false, fmt.Errorf("add codename: %w", err)
	}
	return true, nil
}
