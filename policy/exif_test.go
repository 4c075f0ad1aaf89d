package policy

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestHasGPS(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"jpeg big-endian gps", makeJPEG(true, binary.BigEndian), true},
		{"jpeg little-endian gps", makeJPEG(true, binary.LittleEndian), true},
		{"jpeg no gps", makeJPEG(false, binary.BigEndian), false},
		{"png gps", makePNG(true), true},
		{"png no gps", makePNG(false), false},
		{"webp gps", makeWebP(true), true},
		{"webp no gps", makeWebP(false), false},
		{"not an image", []byte("GIF89a..."), false},
		{"truncated jpeg", makeJPEG(true, binary.BigEndian)[:30], false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		if got := hasGPS(tt.data); got != tt.want {
			t.Errorf("%s: hasGPS = %v, want %v", tt.name, got, tt.want)
		}
	}
	// A GPS IFD without a latitude is not a location.
	tf := tiff(true, binary.LittleEndian)
	binary.LittleEndian.PutUint16(tf[28:], 0x0001) // GPSLatitudeRef only
	if tiffHasGPS(tf) {
		t.Error("GPS IFD without GPSLatitude reported")
	}
}

func TestStripMetadata(t *testing.T) {
	for _, tt := range []struct {
		name    string
		in      []byte
		removed [][]byte // byte strings that must be gone
	}{
		{"jpeg", makeJPEG(true, binary.BigEndian), [][]byte{[]byte("Exif\x00\x00"), []byte("http://ns.adobe.com/xap/1.0/")}},
		{"png", makePNG(true), [][]byte{[]byte("eXIf"), []byte("tEXt"), []byte("taken at the lab")}},
		{"webp", makeWebP(true), [][]byte{[]byte("EXIF")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := StripMetadata(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if hasGPS(out) {
				t.Error("GPS survived")
			}
			for _, r := range tt.removed {
				if bytes.Contains(out, r) {
					t.Errorf("%q survived", r)
				}
			}
			again, err := StripMetadata(out)
			if err != nil || !bytes.Equal(again, out) {
				t.Errorf("stripping twice changed the data (%v)", err)
			}
		})
	}
	// Lossless: everything but the metadata is kept byte for byte.
	jpeg := makeJPEG(true, binary.BigEndian)
	out, _ := StripMetadata(jpeg)
	want := []byte{0xff, 0xd8}
	want = append(want, jpegSegment(0xe0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))...)
	want = append(want, jpegSegment(0xdb, bytes.Repeat([]byte{1}, 65))...)
	want = append(want, jpegScan...)
	if !bytes.Equal(out, want) {
		t.Errorf("jpeg:\n got % x\nwant % x", out, want)
	}
	png := makePNG(true)
	out, _ = StripMetadata(png)
	wantPNG := []byte("\x89PNG\r\n\x1a\n")
	wantPNG = append(wantPNG, pngChunk("IHDR", []byte{0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0})...)
	wantPNG = append(wantPNG, pngChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01})...)
	wantPNG = append(wantPNG, pngChunk("IEND", nil)...)
	if !bytes.Equal(out, wantPNG) {
		t.Errorf("png:\n got % x\nwant % x", out, wantPNG)
	}
	webp, _ := StripMetadata(makeWebP(true))
	if size := binary.LittleEndian.Uint32(webp[4:]); int(size) != len(webp)-8 {
		t.Errorf("webp RIFF size %d, file %d", size, len(webp))
	}
	if webp[20]&0x08 != 0 {
		t.Error("webp VP8X EXIF flag still set")
	}
	// Other formats pass through; broken ones are errors.
	gif := []byte("GIF89a\x01\x00")
	if out, err := StripMetadata(gif); err != nil || !bytes.Equal(out, gif) {
		t.Errorf("gif changed: %v", err)
	}
	if _, err := StripMetadata(jpeg[:20]); err == nil {
		t.Error("truncated jpeg: no error")
	}
	if _, err := StripMetadata(png[:30]); err == nil {
		t.Error("truncated png: no error")
	}
}

func FuzzEXIF(f *testing.F) {
	f.Add(makeJPEG(true, binary.BigEndian))
	f.Add(makePNG(true))
	f.Add(makeWebP(true))
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x08Exif\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		gps := hasGPS(data)
		out, err := StripMetadata(data)
		if err == nil && hasGPS(out) && (bytes.HasPrefix(data, jpegSOI) || bytes.HasPrefix(data, pngSig)) {
			t.Errorf("GPS survived stripping (had %v)", gps)
		}
	})
}
