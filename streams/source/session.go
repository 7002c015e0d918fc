package source

import (
	"sync"
	"time"

	"vigil/streams/audio"
	"vigil/streams/avc"
	"vigil/streams/hevc"
	"vigil/streams/hub"
	"vigil/streams/media"
	"vigil/streams/nalu"
	"vigil/streams/rtsp"
)

// session handles the callbacks of one RTSP session. gortsplib calls them
// one at a time; mu guards only what the supervisor reads.
type session struct {
	src    *Source
	video  videoNormalizer
	audio  *audio.Normalizer
	track  media.Track
	others []media.Codec

	audioOnline bool

	mu        sync.Mutex
	online    bool
	onlineAt  time.Time
	lastFrame time.Time
}

// videoNormalizer is what the session needs of a codec's normalizer
// (avc or hevc).
type videoNormalizer interface {
	Normalize(nalus [][]byte, pts90k int64, now time.Time) *media.AccessUnit
	Track() (media.Track, bool)
	Counters() nalu.Counters
}

func (ss *session) OnDescribe(d rtsp.Description) {
	ss.others = d.Others
	ss.track = d.Video
	ss.track.Others = d.Others
	s := ss.src
	switch d.Video.Codec {
	case media.CodecH264:
		v := avc.New(&s.videoClock)
		v.SetParams(nil, d.Video.SPS, d.Video.PPS)
		ss.video = v
	case media.CodecH265:
		v := hevc.New(&s.videoClock)
		v.SetParams(d.Video.VPS, d.Video.SPS, d.Video.PPS)
		ss.video = v
	default:
		if len(d.Others) > 0 {
			ss.track.Codec = d.Others[0]
		}
	}
	if d.Audio.Codec != "" {
		ss.audio = &audio.Normalizer{ClockRate: d.Audio.SampleRate, Clock: &s.audioClock}
		s.opts.AudioHub.SetStatus(hub.Status{State: hub.StateOnline, Track: d.Audio})
		ss.audioOnline = true
	} else {
		s.setAudioOffline(hub.ReasonNoAudio)
	}
}

func (ss *session) OnAccessUnit(nalus [][]byte, pts90k int64, received time.Time) {
	if ss.video == nil {
		return
	}
	au := ss.video.Normalize(nalus, pts90k, received)
	ss.collect()
	if au == nil {
		return
	}
	track, changed := ss.video.Track()
	if changed && ss.isOnline() && track.Reordered != ss.track.Reordered {
		// B-frames show up only in the stream, not in the SDP: outputs
		// that cannot carry them must know before the next keyframe.
		ss.publishTrack(track, received)
	} else if au.Key && (!ss.isOnline() || changed) {
		ss.publishTrack(track, received)
	}
	ss.mu.Lock()
	ss.lastFrame = received
	ss.mu.Unlock()
	ss.src.opts.Hub.Publish(au)
}

func (ss *session) publishTrack(track media.Track, at time.Time) {
	track.Others = ss.others
	ss.track = track
	ss.setOnline(at)
	ss.src.opts.Hub.SetStatus(hub.Status{State: hub.StateOnline, Track: track})
}

func (ss *session) OnAudio(frames [][]byte, ticks int64, received time.Time) {
	if ss.audio == nil {
		return
	}
	au := ss.audio.Normalize(frames, ticks, received)
	if au == nil {
		ss.collect()
		return
	}
	ss.src.opts.AudioHub.Publish(au)
}

func (ss *session) OnDecodeError(error) {
	ss.src.mu.Lock()
	ss.src.counters.DecodeErrors++
	ss.src.mu.Unlock()
}

// collect folds this session's normalizer counts into the source's
// totals. Counters of earlier sessions were folded when they ended.
func (ss *session) collect() {
	var c Counters
	if ss.video != nil {
		v := ss.video.Counters()
		c.BrokenNALUs, c.OversizeNALUs, c.NoParamSets, c.BadSPS, c.BadDTS = v.Broken, v.Oversize, v.NoParamSets, v.BadSPS, v.BadDTS
	}
	if ss.audio != nil {
		c.BrokenAudio = ss.audio.Counters().BrokenFrames
	}
	s := ss.src
	s.mu.Lock()
	defer s.mu.Unlock()
	base := s.base
	s.counters.BrokenNALUs = base.BrokenNALUs + c.BrokenNALUs
	s.counters.OversizeNALUs = base.OversizeNALUs + c.OversizeNALUs
	s.counters.NoParamSets = base.NoParamSets + c.NoParamSets
	s.counters.BadSPS = base.BadSPS + c.BadSPS
	s.counters.BadDTS = base.BadDTS + c.BadDTS
	s.counters.BrokenAudio = base.BrokenAudio + c.BrokenAudio
	s.counters.Rebases = s.videoClock.Rebases() + s.audioClock.Rebases()
}

func (ss *session) isOnline() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.online
}

func (ss *session) setOnline(at time.Time) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if !ss.online {
		ss.online = true
		ss.onlineAt = at
	}
}

func (ss *session) onlineFor() time.Duration {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if !ss.online {
		return 0
	}
	return ss.lastFrame.Sub(ss.onlineAt)
}
