package h264enc

// Stream-wide constants. Constrained Baseline keeps every decoder happy
// (browsers included); CAVLC is all Baseline allows and all I_PCM needs.
const (
	profileBaseline = 66
	// constraint_set0_flag and constraint_set1_flag: Constrained Baseline.
	constraintFlags = 0xC0
	// log2MaxFrameNum is large so frame_num wraps rarely even with long
	// GOPs; wrapping is still handled (frameNum is taken modulo). Tests
	// lower it to exercise the wrap.
	log2MaxFrameNum = 16
)

// levelIdc picks the lowest common level whose MaxFS fits the picture. The
// bit rate of I_PCM exceeds every level's MaxBR; decoders do not enforce it.
func levelIdc(mbs int) uint32 {
	switch {
	case mbs <= 1620:
		return 30
	case mbs <= 3600:
		return 31
	case mbs <= 8192:
		return 40
	default:
		return 51
	}
}

// sps builds the sequence parameter set NAL unit (H.264 7.3.2.1).
func (e *Encoder) sps() []byte {
	var w bitWriter
	w.u(8, profileBaseline)
	w.u(8, constraintFlags)
	w.u(8, levelIdc(e.mbW*e.mbH))
	w.ue(0)                  // seq_parameter_set_id
	w.ue(e.log2FrameNum - 4) // log2_max_frame_num_minus4
	w.ue(2)                  // pic_order_cnt_type 2: output order = decode order
	w.ue(1)                  // max_num_ref_frames: P_Skip only needs the last picture
	w.flag(false)            // gaps_in_frame_num_value_allowed_flag
	w.ue(uint32(e.mbW - 1))  // pic_width_in_mbs_minus1
	w.ue(uint32(e.mbH - 1))  // pic_height_in_map_units_minus1
	w.flag(true)             // frame_mbs_only_flag
	w.flag(true)             // direct_8x8_inference_flag
	// Cropping in 4:2:0 counts in units of two pixels.
	cropR, cropB := (e.mbW*16-e.width)/2, (e.mbH*16-e.height)/2
	cropping := cropR != 0 || cropB != 0
	w.flag(cropping)
	if cropping {
		w.ue(0)
		w.ue(uint32(cropR))
		w.ue(0)
		w.ue(uint32(cropB))
	}
	w.flag(true) // vui_parameters_present_flag
	e.vui(&w)
	w.trailing()
	return nalu(3, naluSPS, w.buf)
}

// vui writes timing (so raw files and players know the frame rate) and
// bitstream restrictions declaring no reordering, so decoders output every
// picture as soon as it is decoded (no latency added by the DPB).
func (e *Encoder) vui(w *bitWriter) {
	w.flag(false) // aspect_ratio_info_present_flag
	w.flag(false) // overscan_info_present_flag
	w.flag(false) // video_signal_type_present_flag
	w.flag(false) // chroma_loc_info_present_flag
	w.flag(e.fps > 0)
	if e.fps > 0 {
		w.u(32, 1)               // num_units_in_tick
		w.u(32, uint32(2*e.fps)) // time_scale: two ticks per frame
		w.flag(true)             // fixed_frame_rate_flag
	}
	w.flag(false) // nal_hrd_parameters_present_flag
	w.flag(false) // vcl_hrd_parameters_present_flag
	w.flag(false) // pic_struct_present_flag
	w.flag(true)  // bitstream_restriction_flag
	w.flag(true)  // motion_vectors_over_pic_boundaries_flag
	w.ue(0)       // max_bytes_per_pic_denom
	w.ue(0)       // max_bits_per_mb_denom
	w.ue(16)      // log2_max_mv_length_horizontal
	w.ue(16)      // log2_max_mv_length_vertical
	w.ue(0)       // max_num_reorder_frames
	w.ue(1)       // max_dec_frame_buffering
}

// pps builds the picture parameter set NAL unit (H.264 7.3.2.2).
func (e *Encoder) pps() []byte {
	var w bitWriter
	w.ue(0)       // pic_parameter_set_id
	w.ue(0)       // seq_parameter_set_id
	w.flag(false) // entropy_coding_mode_flag: CAVLC
	w.flag(false) // bottom_field_pic_order_in_frame_present_flag
	w.ue(0)       // num_slice_groups_minus1
	w.ue(0)       // num_ref_idx_l0_default_active_minus1
	w.ue(0)       // num_ref_idx_l1_default_active_minus1
	w.flag(false) // weighted_pred_flag
	w.u(2, 0)     // weighted_bipred_idc
	w.se(0)       // pic_init_qp_minus26
	w.se(0)       // pic_init_qs_minus26
	w.se(0)       // chroma_qp_index_offset
	// deblocking_filter_control_present_flag: lets slices switch the
	// filter off, since PCM and exact copies have nothing to smooth.
	w.flag(true)
	w.flag(false) // constrained_intra_pred_flag
	w.flag(false) // redundant_pic_cnt_present_flag
	w.trailing()
	return nalu(3, naluPPS, w.buf)
}
