package survey

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// TestQRPNG decodes the rendered PNG with an independent QR reader (ZXing's port) and checks the text, the
// size and the quiet zone a printed code needs.
func TestQRPNG(t *testing.T) {
	for _, text := range []string{
		"http://127.0.0.1:8080/s/store-001/default",
		"https://cx.example.com/s/%D0%BC%D0%B0%D0%B3%D0%B0%D0%B7%D0%B8%D0%BD-1/nps-after-checkout",
		"https://cx.example.com/s/a-very-long-location-identifier-of-a-large-chain-0123456789/survey-with-a-long-name-too",
	} {
		t.Run(text, func(t *testing.T) {
			b, err := qrPNG(text, 512)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if w := img.Bounds().Dx(); w > 512 || w < 400 || img.Bounds().Dy() != w {
				t.Errorf("size %v, want a square of at most 512 px and not much less", img.Bounds())
			}
			bmp, err := gozxing.NewBinaryBitmapFromImage(img)
			if err != nil {
				t.Fatal(err)
			}
			res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatalf("decoding: %v", err)
			}
			if res.GetText() != text {
				t.Errorf("decoded %q, want %q", res.GetText(), text)
			}
			// The quiet zone: 4 white modules before the finder pattern, whose top edge is a dark run of
			// 7 modules.
			first := firstDark(img)
			run := 0
			for x := first.X; x < img.Bounds().Dx(); x++ {
				if r, _, _, _ := img.At(x, first.Y).RGBA(); r >= 0x8000 {
					break
				}
				run++
			}
			if module := run / 7; run%7 != 0 || module == 0 || first.X < 4*module {
				t.Errorf("finder pattern at %v, %d px wide: no quiet zone of 4 modules", first, run)
			}
		})
	}
}

func firstDark(img image.Image) image.Point {
	b := img.Bounds()
	for d := 0; d < b.Dx(); d++ {
		if r, _, _, _ := img.At(d, d).RGBA(); r < 0x8000 {
			return image.Pt(d, d)
		}
	}
	return image.Pt(-1, -1)
}
