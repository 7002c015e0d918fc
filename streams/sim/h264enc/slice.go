package h264enc

import "image"

// Macroblock types written with ue(v) (H.264 tables 7-11 and 7-13): in
// P slices the intra types follow the five P types.
const (
	mbTypeIPCM       = 25
	mbTypePIntraBase = 5
	pcmBytesPerMB    = 16*16 + 2*8*8
)

// slice writes one slice covering the whole picture; nCoded macroblocks are
// marked in e.changed and already copied into e.ref.
func (e *Encoder) slice(idr bool, nCoded int) []byte {
	w := bitWriter{buf: make([]byte, 0, 32+nCoded*(pcmBytesPerMB+2)+len(e.changed)/4)}
	e.sliceHeader(&w, idr)
	if idr {
		for i := range e.changed {
			w.ue(mbTypeIPCM)
			e.writePCM(&w, i%e.mbW, i/e.mbW)
		}
	} else {
		// P_Skip predicts a zero motion vector here: every inter macroblock
		// is a skip with zero motion and intra neighbours have no vector,
		// so a skipped macroblock is an exact copy of the reference.
		skip := uint32(0)
		for i, c := range e.changed {
			if !c {
				skip++
				continue
			}
			w.ue(skip) // mb_skip_run
			skip = 0
			w.ue(mbTypePIntraBase + mbTypeIPCM)
			e.writePCM(&w, i%e.mbW, i/e.mbW)
		}
		if skip > 0 {
			w.ue(skip)
		}
	}
	w.trailing()
	if idr {
		return nalu(3, naluIDR, w.buf)
	}
	return nalu(2, naluSlice, w.buf)
}

// sliceHeader writes slice_header() (H.264 7.3.3) for the only slice of
// the picture, with the deblocking filter off.
func (e *Encoder) sliceHeader(w *bitWriter, idr bool) {
	w.ue(0) // first_mb_in_slice
	if idr {
		w.ue(7) // slice_type: I, all slices of the picture
	} else {
		w.ue(5) // slice_type: P, all slices of the picture
	}
	w.ue(0) // pic_parameter_set_id
	w.u(uint(e.log2FrameNum), e.frameNum)
	if idr {
		w.ue(e.idrPicID)
	}
	// pic_order_cnt_type 2 sends no POC fields.
	if !idr {
		w.flag(false) // num_ref_idx_active_override_flag
		w.flag(false) // ref_pic_list_modification_flag_l0
	}
	// dec_ref_pic_marking(): every picture is a reference.
	if idr {
		w.flag(false) // no_output_of_prior_pics_flag
		w.flag(false) // long_term_reference_flag
	} else {
		w.flag(false) // adaptive_ref_pic_marking_mode_flag: sliding window
	}
	w.se(0) // slice_qp_delta
	w.ue(1) // disable_deblocking_filter_idc
}

// writePCM writes the alignment and raw samples of macroblock (mx, my)
// from the reference picture.
func (e *Encoder) writePCM(w *bitWriter, mx, my int) {
	w.alignZero()
	r := e.ref
	for y := my * 16; y < my*16+16; y++ {
		o := y*r.YStride + mx*16
		w.bytes(r.Y[o : o+16])
	}
	for _, p := range [2][]byte{r.Cb, r.Cr} {
		for y := my * 8; y < my*8+8; y++ {
			o := y*r.CStride + mx*8
			w.bytes(p[o : o+8])
		}
	}
}

// mbRect returns the part of macroblock (mx, my) inside the picture, in
// luma samples relative to the picture origin.
func (e *Encoder) mbRect(mx, my int) (x0, y0, w, h int) {
	x0, y0 = mx*16, my*16
	return x0, y0, min(16, e.width-x0), min(16, e.height-y0)
}

// differs reports whether macroblock (mx, my) of img differs from the
// reference. Only samples inside the picture count: padding never changes.
func (e *Encoder) differs(img *image.YCbCr, mx, my int) bool {
	x0, y0, w, h := e.mbRect(mx, my)
	yb := img.YOffset(img.Rect.Min.X, img.Rect.Min.Y)
	for y := y0; y < y0+h; y++ {
		a := img.Y[yb+y*img.YStride+x0:][:w]
		b := e.ref.Y[y*e.ref.YStride+x0:][:w]
		if string(a) != string(b) {
			return true
		}
	}
	cb := img.COffset(img.Rect.Min.X, img.Rect.Min.Y)
	for y := y0 / 2; y < (y0+h)/2; y++ {
		o := cb + y*img.CStride + x0/2
		r := y*e.ref.CStride + x0/2
		if string(img.Cb[o:][:w/2]) != string(e.ref.Cb[r:][:w/2]) ||
			string(img.Cr[o:][:w/2]) != string(e.ref.Cr[r:][:w/2]) {
			return true
		}
	}
	return false
}

// rowDiffers reports whether macroblock row my of img differs from the
// reference anywhere.
func (e *Encoder) rowDiffers(img *image.YCbCr, my int) bool {
	y0, h := my*16, min(16, e.height-my*16)
	yb := img.YOffset(img.Rect.Min.X, img.Rect.Min.Y)
	for y := y0; y < y0+h; y++ {
		if string(img.Y[yb+y*img.YStride:][:e.width]) != string(e.ref.Y[y*e.ref.YStride:][:e.width]) {
			return true
		}
	}
	cb, cw := img.COffset(img.Rect.Min.X, img.Rect.Min.Y), e.width/2
	for y := y0 / 2; y < (y0+h)/2; y++ {
		o, r := cb+y*img.CStride, y*e.ref.CStride
		if string(img.Cb[o:][:cw]) != string(e.ref.Cb[r:][:cw]) ||
			string(img.Cr[o:][:cw]) != string(e.ref.Cr[r:][:cw]) {
			return true
		}
	}
	return false
}

// copyMB copies macroblock (mx, my) of img into the reference.
func (e *Encoder) copyMB(img *image.YCbCr, mx, my int) {
	x0, y0, w, h := e.mbRect(mx, my)
	yb := img.YOffset(img.Rect.Min.X, img.Rect.Min.Y)
	for y := y0; y < y0+h; y++ {
		copy(e.ref.Y[y*e.ref.YStride+x0:][:w], img.Y[yb+y*img.YStride+x0:])
	}
	cb := img.COffset(img.Rect.Min.X, img.Rect.Min.Y)
	for y := y0 / 2; y < (y0+h)/2; y++ {
		o := cb + y*img.CStride + x0/2
		r := y*e.ref.CStride + x0/2
		copy(e.ref.Cb[r:][:w/2], img.Cb[o:])
		copy(e.ref.Cr[r:][:w/2], img.Cr[o:])
	}
}
