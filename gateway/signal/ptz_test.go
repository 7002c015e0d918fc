package signal

import (
	"errors"
	"strings"
	"testing"

	"vigil/gateway/ptz"
)

func TestDecodePTZMessages(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want PTZCommand
	}{
		{`{"type":"ptz","camera":"a","op":"move","pan":0.5,"tilt":-1}`, PTZCommand{Op: PTZMove, Pan: 0.5, Tilt: -1}},
		{`{"type":"ptz","camera":"a","op":"move","zoom":1}`, PTZCommand{Op: PTZMove, Zoom: 1}},
		{`{"type":"ptz","camera":"a","op":"stop"}`, PTZCommand{Op: PTZStop}},
		{`{"type":"ptz","camera":"a","op":"goto","preset":"3"}`, PTZCommand{Op: PTZGoto, Preset: "3"}},
		{`{"type":"ptz","camera":"a","op":"delete","preset":"p 1"}`, PTZCommand{Op: PTZDelete, Preset: "p 1"}},
		{`{"type":"ptz","camera":"a","op":"save","name":"站台"}`, PTZCommand{Op: PTZSave, Name: "站台"}},
	} {
		m, err := DecodeClientMessage([]byte(tc.in))
		if err != nil || m.Type != TypePTZ || m.Camera != "a" || m.PTZ != tc.want {
			t.Errorf("%s: %+v %v", tc.in, m, err)
		}
	}
	for _, in := range []string{
		`{"type":"ptz","op":"stop"}`, `{"type":"ptz","camera":"A","op":"stop"}`, `{"type":"ptz","camera":"a"}`,
		`{"type":"ptz","camera":"a","op":"spin"}`, `{"type":"ptz","camera":"a","op":"stop","pan":1}`,
		`{"type":"ptz","camera":"a","op":"move","pan":"1"}`, `{"type":"ptz","camera":"a","op":"goto"}`,
		`{"type":"ptz","camera":"a","op":"goto","preset":"` + strings.Repeat("x", 65) + `"}`,
		`{"type":"ptz","camera":"a","op":"save","preset":"1"}`, `{"type":"ptz","camera":"a","op":"move","tile":1}`,
		`{"type":"assign","tile":1,"camera":"a","op":"move"}`,
	} {
		if m, err := DecodeClientMessage([]byte(in)); err == nil {
			t.Errorf("%s: accepted as %+v", in, m)
		}
	}
}

func TestPTZErrorCodes(t *testing.T) {
	code, _, holder := ptzErrorCode(&ptz.LockedError{Holder: ptz.Holder{User: "op"}})
	if code != "locked" || holder == nil || holder.User != "op" {
		t.Fatalf("locked: %s %+v", code, holder)
	}
	for err, want := range map[error]string{
		ptz.ErrRange: "invalid", ptz.ErrNoPTZ: "no_ptz", ptz.ErrRateLimited: "rate",
		&ptz.DeviceError{Err: errors.New("x")}: "device",
	} {
		if code, _, _ := ptzErrorCode(err); code != want {
			t.Errorf("%v: %s, want %s", err, code, want)
		}
	}
}
