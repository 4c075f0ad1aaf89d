package policy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// A small EXIF reader: enough to find GPS coordinates in JPEG (APP1
// "Exif\0\0"), PNG (eXIf chunk) and WebP (EXIF chunk) files, and to strip
// metadata from them without touching the image data.

var (
	jpegSOI   = []byte{0xff, 0xd8}
	pngSig    = []byte("\x89PNG\r\n\x1a\n")
	exifHead  = []byte("Exif\x00\x00")
	xmpHead   = []byte("http://ns.adobe.com/xap/1.0/\x00")
	xmpExtHdr = []byte("http://ns.adobe.com/xmp/extension/\x00")
)

// errNotImage is returned for data that is not JPEG, PNG or WebP.
var errNotImage = errors.New("not a JPEG, PNG or WebP image")

// exifBlocks returns the TIFF-structured EXIF blocks of an image.
func exifBlocks(data []byte) ([][]byte, error) {
	switch {
	case bytes.HasPrefix(data, jpegSOI):
		var out [][]byte
		err := jpegSegments(data, func(marker byte, payload []byte) {
			if marker == 0xe1 && bytes.HasPrefix(payload, exifHead) {
				out = append(out, payload[len(exifHead):])
			}
		})
		return out, err
	case bytes.HasPrefix(data, pngSig):
		var out [][]byte
		err := pngChunks(data, func(typ string, payload []byte) {
			if typ == "eXIf" {
				out = append(out, payload)
			}
		})
		return out, err
	case isWebP(data):
		var out [][]byte
		err := webpChunks(data, func(typ string, payload []byte) {
			if typ == "EXIF" {
				out = append(out, bytes.TrimPrefix(payload, exifHead))
			}
		})
		return out, err
	}
	return nil, errNotImage
}

// hasGPS reports whether an image's EXIF data has a GPS IFD with a latitude.
func hasGPS(data []byte) bool {
	blocks, _ := exifBlocks(data)
	for _, b := range blocks {
		if tiffHasGPS(b) {
			return true
		}
	}
	return false
}

// tiffHasGPS walks a TIFF header → IFD0 → GPS IFD (tag 0x8825) and reports
// whether GPSLatitude (tag 0x0002) is present.
func tiffHasGPS(t []byte) bool {
	if len(t) < 8 {
		return false
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return false
	}
	if bo.Uint16(t[2:4]) != 42 {
		return false
	}
	gps, ok := ifdValue(t, bo, bo.Uint32(t[4:8]), 0x8825)
	if !ok {
		return false
	}
	_, ok = ifdValue(t, bo, gps, 0x0002)
	return ok
}

// ifdValue finds tag in the IFD at off and returns its value field.
func ifdValue(t []byte, bo binary.ByteOrder, off uint32, tag uint16) (uint32, bool) {
	if off < 8 || uint64(off)+2 > uint64(len(t)) {
		return 0, false
	}
	n := int(bo.Uint16(t[off:]))
	p := int(off) + 2
	for i := 0; i < n; i++ {
		if p+12 > len(t) {
			return 0, false
		}
		if bo.Uint16(t[p:]) == tag {
			return bo.Uint32(t[p+8:]), true
		}
		p += 12
	}
	return 0, false
}

// jpegSegments calls fn for each marker segment before the image data (SOS).
func jpegSegments(data []byte, fn func(marker byte, payload []byte)) error {
	p := 2
	for p+4 <= len(data) {
		if data[p] != 0xff {
			return fmt.Errorf("jpeg: no marker at byte %d", p)
		}
		m := data[p+1]
		if m == 0xff { // fill byte
			p++
			continue
		}
		if m == 0xd9 || m == 0xda { // EOI, SOS: image data follows
			return nil
		}
		if m >= 0xd0 && m <= 0xd7 || m == 0x01 {
			p += 2
			continue
		}
		l := int(binary.BigEndian.Uint16(data[p+2:]))
		if l < 2 || p+2+l > len(data) {
			return fmt.Errorf("jpeg: segment at byte %d runs past the end", p)
		}
		fn(m, data[p+4:p+2+l])
		p += 2 + l
	}
	return nil
}

// pngChunks calls fn for each chunk.
func pngChunks(data []byte, fn func(typ string, payload []byte)) error {
	p := len(pngSig)
	for p+12 <= len(data) {
		l := binary.BigEndian.Uint32(data[p:])
		if uint64(p)+12+uint64(l) > uint64(len(data)) {
			return fmt.Errorf("png: chunk at byte %d runs past the end", p)
		}
		typ := string(data[p+4 : p+8])
		fn(typ, data[p+8:p+8+int(l)])
		p += 12 + int(l)
		if typ == "IEND" {
			return nil
		}
	}
	return nil
}

func isWebP(data []byte) bool {
	return len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP"
}

// webpChunks calls fn for each RIFF chunk of a WebP file.
func webpChunks(data []byte, fn func(typ string, payload []byte)) error {
	p := 12
	for p+8 <= len(data) {
		l := binary.LittleEndian.Uint32(data[p+4:])
		if uint64(p)+8+uint64(l) > uint64(len(data)) {
			return fmt.Errorf("webp: chunk at byte %d runs past the end", p)
		}
		fn(string(data[p:p+4]), data[p+8:p+8+int(l)])
		p += 8 + int(l) + int(l&1)
	}
	return nil
}

// StripMetadata removes EXIF and XMP metadata from an image without
// re-encoding it: APP1 Exif/XMP segments of a JPEG, eXIf/tEXt/iTXt/zTXt
// chunks of a PNG, EXIF/XMP chunks of a WebP. Other data is returned
// unchanged. A malformed JPEG, PNG or WebP is an error.
func StripMetadata(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, jpegSOI):
		return stripJPEG(data)
	case bytes.HasPrefix(data, pngSig):
		return stripPNG(data)
	case isWebP(data):
		return stripWebP(data)
	}
	return data, nil
}

func stripJPEG(data []byte) ([]byte, error) {
	out := make([]byte, 0, len(data))
	out = append(out, jpegSOI...)
	p := 2
	for p+2 <= len(data) {
		if data[p] != 0xff {
			return nil, fmt.Errorf("jpeg: no marker at byte %d", p)
		}
		m := data[p+1]
		if m == 0xff {
			p++
			continue
		}
		if m == 0xd9 || m == 0xda { // the rest is image data: copy verbatim
			return append(out, data[p:]...), nil
		}
		if m >= 0xd0 && m <= 0xd7 || m == 0x01 {
			out = append(out, data[p:p+2]...)
			p += 2
			continue
		}
		if p+4 > len(data) {
			return nil, fmt.Errorf("jpeg: truncated segment at byte %d", p)
		}
		l := int(binary.BigEndian.Uint16(data[p+2:]))
		if l < 2 || p+2+l > len(data) {
			return nil, fmt.Errorf("jpeg: segment at byte %d runs past the end", p)
		}
		payload := data[p+4 : p+2+l]
		drop := m == 0xe1 && (bytes.HasPrefix(payload, exifHead) || bytes.HasPrefix(payload, xmpHead) || bytes.HasPrefix(payload, xmpExtHdr))
		if !drop {
			out = append(out, data[p:p+2+l]...)
		}
		p += 2 + l
	}
	return nil, fmt.Errorf("jpeg: no image data before byte %d", len(data))
}

func stripPNG(data []byte) ([]byte, error) {
	out := make([]byte, 0, len(data))
	out = append(out, pngSig...)
	p := len(pngSig)
	for p+12 <= len(data) {
		l := binary.BigEndian.Uint32(data[p:])
		if uint64(p)+12+uint64(l) > uint64(len(data)) {
			return nil, fmt.Errorf("png: chunk at byte %d runs past the end", p)
		}
		end := p + 12 + int(l)
		switch string(data[p+4 : p+8]) {
		case "eXIf", "tEXt", "iTXt", "zTXt":
		default:
			out = append(out, data[p:end]...)
		}
		if string(data[p+4:p+8]) == "IEND" {
			return append(out, data[end:]...), nil
		}
		p = end
	}
	if p != len(data) {
		return nil, fmt.Errorf("png: truncated chunk at byte %d", p)
	}
	return out, nil
}

func stripWebP(data []byte) ([]byte, error) {
	out := make([]byte, 0, len(data))
	out = append(out, data[:12]...)
	p := 12
	vp8x := -1
	for p+8 <= len(data) {
		l := binary.LittleEndian.Uint32(data[p+4:])
		if uint64(p)+8+uint64(l) > uint64(len(data)) {
			return nil, fmt.Errorf("webp: chunk at byte %d runs past the end", p)
		}
		end := min(p+8+int(l)+int(l&1), len(data))
		switch string(data[p : p+4]) {
		case "EXIF", "XMP ":
		case "VP8X":
			vp8x = len(out)
			out = append(out, data[p:end]...)
		default:
			out = append(out, data[p:end]...)
		}
		p = end
	}
	if vp8x >= 0 && vp8x+9 <= len(out) {
		out[vp8x+8] &^= 0x08 | 0x04 // EXIF and XMP flags
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}
