package onvif

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Vector is a pan/tilt/zoom triple: velocities in −1…1 for moves,
// translations for RelativeMove, a position for Status.
type Vector struct {
	Pan, Tilt, Zoom float64
}

// Preset is a stored position.
type Preset struct {
	Token string
	Name  string
}

// Status is GetStatus's answer.
type Status struct {
	Position Vector
	Moving   bool // pan/tilt or zoom is MOVING
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func profileElem(profile string) string {
	return `<ProfileToken>` + escape(profile) + `</ProfileToken>`
}

// ContinuousMove starts moving at velocity v. timeout > 0 asks the device
// to stop by itself after it (devices may ignore it; vigil stops anyway).
func (c *Client) ContinuousMove(ctx context.Context, ptzURL, profile string, v Vector, timeout time.Duration) error {
	body := `<ContinuousMove xmlns="` + nsPTZ + `">` + profileElem(profile) +
		`<Velocity><tt:PanTilt x="` + num(v.Pan) + `" y="` + num(v.Tilt) + `"/><tt:Zoom x="` + num(v.Zoom) + `"/></Velocity>`
	if timeout > 0 {
		body += `<Timeout>` + isoDuration(timeout) + `</Timeout>`
	}
	body += `</ContinuousMove>`
	return c.call(ctx, ptzURL, "ContinuousMove", body, nil)
}

// isoDuration writes d as xs:duration, e.g. PT1.5S.
func isoDuration(d time.Duration) string {
	return "PT" + strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S"
}

// Stop stops pan, tilt and zoom.
func (c *Client) Stop(ctx context.Context, ptzURL, profile string) error {
	body := `<Stop xmlns="` + nsPTZ + `">` + profileElem(profile) + `<PanTilt>true</PanTilt><Zoom>true</Zoom></Stop>`
	return c.call(ctx, ptzURL, "Stop", body, nil)
}

// RelativeMove moves by translation t.
func (c *Client) RelativeMove(ctx context.Context, ptzURL, profile string, t Vector) error {
	body := `<RelativeMove xmlns="` + nsPTZ + `">` + profileElem(profile) +
		`<Translation><tt:PanTilt x="` + num(t.Pan) + `" y="` + num(t.Tilt) + `"/><tt:Zoom x="` + num(t.Zoom) + `"/></Translation></RelativeMove>`
	return c.call(ctx, ptzURL, "RelativeMove", body, nil)
}

type presetsResponse struct {
	Preset []struct {
		Token string `xml:"token,attr"`
		Name  string `xml:"Name"`
	} `xml:"Preset"`
}

// Presets lists the stored presets.
func (c *Client) Presets(ctx context.Context, ptzURL, profile string) ([]Preset, error) {
	var r presetsResponse
	if err := c.call(ctx, ptzURL, "GetPresets", `<GetPresets xmlns="`+nsPTZ+`">`+profileElem(profile)+`</GetPresets>`, &r); err != nil {
		return nil, err
	}
	out := make([]Preset, 0, len(r.Preset))
	for _, p := range r.Preset {
		if t := strings.TrimSpace(p.Token); t != "" {
			out = append(out, Preset{Token: t, Name: strings.TrimSpace(p.Name)})
		}
	}
	return out, nil
}

// GotoPreset moves to a preset.
func (c *Client) GotoPreset(ctx context.Context, ptzURL, profile, token string) error {
	body := `<GotoPreset xmlns="` + nsPTZ + `">` + profileElem(profile) + `<PresetToken>` + escape(token) + `</PresetToken></GotoPreset>`
	return c.call(ctx, ptzURL, "GotoPreset", body, nil)
}

type setPresetResponse struct {
	Token string `xml:"PresetToken"`
}

// SetPreset stores the current position under name and returns its token.
func (c *Client) SetPreset(ctx context.Context, ptzURL, profile, name string) (string, error) {
	var r setPresetResponse
	body := `<SetPreset xmlns="` + nsPTZ + `">` + profileElem(profile) + `<PresetName>` + escape(name) + `</PresetName></SetPreset>`
	if err := c.call(ctx, ptzURL, "SetPreset", body, &r); err != nil {
		return "", err
	}
	token := strings.TrimSpace(r.Token)
	if token == "" {
		return "", fmt.Errorf("onvif: SetPreset: no PresetToken in the reply")
	}
	return token, nil
}

// RemovePreset deletes a preset.
func (c *Client) RemovePreset(ctx context.Context, ptzURL, profile, token string) error {
	body := `<RemovePreset xmlns="` + nsPTZ + `">` + profileElem(profile) + `<PresetToken>` + escape(token) + `</PresetToken></RemovePreset>`
	return c.call(ctx, ptzURL, "RemovePreset", body, nil)
}

type statusResponse struct {
	PTZStatus struct {
		Position struct {
			PanTilt struct {
				X float64 `xml:"x,attr"`
				Y float64 `xml:"y,attr"`
			} `xml:"PanTilt"`
			Zoom struct {
				X float64 `xml:"x,attr"`
			} `xml:"Zoom"`
		} `xml:"Position"`
		MoveStatus struct {
			PanTilt string `xml:"PanTilt"`
			Zoom    string `xml:"Zoom"`
		} `xml:"MoveStatus"`
	} `xml:"PTZStatus"`
}

// Status asks the position and whether the dome moves.
func (c *Client) Status(ctx context.Context, ptzURL, profile string) (Status, error) {
	var r statusResponse
	if err := c.call(ctx, ptzURL, "GetStatus", `<GetStatus xmlns="`+nsPTZ+`">`+profileElem(profile)+`</GetStatus>`, &r); err != nil {
		return Status{}, err
	}
	p := r.PTZStatus
	return Status{
		Position: Vector{Pan: p.Position.PanTilt.X, Tilt: p.Position.PanTilt.Y, Zoom: p.Position.Zoom.X},
		Moving: strings.EqualFold(strings.TrimSpace(p.MoveStatus.PanTilt), "MOVING") ||
			strings.EqualFold(strings.TrimSpace(p.MoveStatus.Zoom), "MOVING"),
	}, nil
}
