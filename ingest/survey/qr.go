package survey

import (
	"bytes"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/qr"
)

// quietZone is the white border around a QR code, in modules: ISO/IEC 18004 asks for four, and phone
// cameras read a printed code far less reliably without it.
const quietZone = 4

// qrPNG encodes text as a QR code (error correction M: about 15 % of a smudged or creased print may be
// lost) and renders it as a two-colour PNG about size pixels wide, every module the same whole number of
// pixels so the code stays sharp when printed.
func qrPNG(text string, size int) ([]byte, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	n := code.Bounds().Dx()
	scale := max(size/(n+2*quietZone), 1)
	side := (n + 2*quietZone) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range n {
		for x := range n {
			if lum, _, _, _ := color.GrayModel.Convert(code.At(x, y)).RGBA(); lum > 0x7fff {
				continue // a light module
			}
			for dy := range scale {
				row := img.Pix[((quietZone+y)*scale+dy)*img.Stride:]
				for dx := range scale {
					row[(quietZone+x)*scale+dx] = 1
				}
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
