package objstore

import (
	"bytes"
	"net/http"
	"strings"
)

// Sniff names the media type of content from its first bytes (up to 512). It is net/http's sniffer
// (WHATWG MIME Sniffing) plus the ISO-BMFF brands phones write that it does not know: HEIC/HEIF photos
// (iPhone camera), 3GPP audio/video (Android recorders) and M4A audio. Parameters are dropped.
func Sniff(head []byte) string {
	if len(head) >= 12 && bytes.Equal(head[4:8], []byte("ftyp")) {
		switch brand := string(head[8:12]); brand {
		case "heic", "heix", "heim", "heis", "hevc", "hevx":
			return "image/heic"
		case "mif1", "msf1":
			return "image/heif"
		case "avif":
			return "image/avif"
		case "M4A ", "M4B ":
			return "audio/mp4"
		case "3gp4", "3gp5", "3gp6", "3gp7", "3ge6", "3ge7", "3gg6":
			return "video/3gpp"
		}
	}
	// MediaRecorder in Chromium writes audio-only WebM; the sniffer calls every EBML file video/webm.
	ct := http.DetectContentType(head)
	ct, _, _ = strings.Cut(ct, ";")
	return strings.TrimSpace(ct)
}
