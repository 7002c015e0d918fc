package onvif

import (
	"context"
	"fmt"
	"strings"
)

// Profile is one media profile: an encoder setting and, on a dome, the PTZ
// configuration that moves it.
type Profile struct {
	Token    string
	Name     string
	Encoding string // H264, H265, JPEG, "" when the profile has no encoder
	Width    int
	Height   int
	PTZ      bool // the profile has a PTZ configuration
}

type profilesResponse struct {
	Profiles []struct {
		Token string `xml:"token,attr"`
		Name  string `xml:"Name"`
		Video *struct {
			Encoding   string `xml:"Encoding"`
			Resolution struct {
				Width  int `xml:"Width"`
				Height int `xml:"Height"`
			} `xml:"Resolution"`
		} `xml:"VideoEncoderConfiguration"`
		PTZ *struct {
			Token string `xml:"token,attr"`
		} `xml:"PTZConfiguration"`
	} `xml:"Profiles"`
}

func (r *profilesResponse) profiles() []Profile {
	out := make([]Profile, 0, len(r.Profiles))
	for _, p := range r.Profiles {
		v := Profile{Token: strings.TrimSpace(p.Token), Name: strings.TrimSpace(p.Name), PTZ: p.PTZ != nil}
		if p.Video != nil {
			v.Encoding = strings.TrimSpace(p.Video.Encoding)
			v.Width, v.Height = p.Video.Resolution.Width, p.Video.Resolution.Height
		}
		if v.Token != "" {
			out = append(out, v)
		}
	}
	return out
}

// Profiles asks the media profiles at the media service mediaURL.
func (c *Client) Profiles(ctx context.Context, mediaURL string) ([]Profile, error) {
	var r profilesResponse
	if err := c.call(ctx, mediaURL, "GetProfiles", `<GetProfiles xmlns="`+nsMedia+`"/>`, &r); err != nil {
		return nil, err
	}
	ps := r.profiles()
	if len(ps) == 0 {
		return nil, fmt.Errorf("onvif: GetProfiles: the device has no media profile")
	}
	return ps, nil
}

type mediaURIResponse struct {
	MediaURI struct {
		URI string `xml:"Uri"`
	} `xml:"MediaUri"`
}

// StreamURI asks the RTSP URI of a profile (RTP over RTSP, unicast).
func (c *Client) StreamURI(ctx context.Context, mediaURL, profile string) (string, error) {
	body := `<GetStreamUri xmlns="` + nsMedia + `"><StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>` +
		`<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></StreamSetup>` +
		`<ProfileToken>` + escape(profile) + `</ProfileToken></GetStreamUri>`
	return c.mediaURI(ctx, mediaURL, "GetStreamUri", body)
}

// SnapshotURI asks the JPEG snapshot URI of a profile.
func (c *Client) SnapshotURI(ctx context.Context, mediaURL, profile string) (string, error) {
	body := `<GetSnapshotUri xmlns="` + nsMedia + `"><ProfileToken>` + escape(profile) + `</ProfileToken></GetSnapshotUri>`
	return c.mediaURI(ctx, mediaURL, "GetSnapshotUri", body)
}

func (c *Client) mediaURI(ctx context.Context, mediaURL, name, body string) (string, error) {
	var r mediaURIResponse
	if err := c.call(ctx, mediaURL, name, body, &r); err != nil {
		return "", err
	}
	uri := strings.TrimSpace(r.MediaURI.URI)
	if uri == "" {
		return "", fmt.Errorf("onvif: %s: no Uri in the reply", name)
	}
	return uri, nil
}

// MainAndSub picks the main stream's profile (the largest video) and the
// sub stream's (the next largest; a zero Profile when there is only one,
// both zero for no profile).
func MainAndSub(ps []Profile) (main, sub Profile) {
	var video []Profile
	for _, p := range ps {
		if p.Encoding != "" && !strings.EqualFold(p.Encoding, "JPEG") {
			video = append(video, p)
		}
	}
	if len(video) == 0 {
		video = append(video, ps...)
	}
	if len(video) == 0 {
		return Profile{}, Profile{}
	}
	// Devices list profiles main first; sort stably by area, largest first.
	for i := 1; i < len(video); i++ {
		for j := i; j > 0 && area(video[j]) > area(video[j-1]); j-- {
			video[j], video[j-1] = video[j-1], video[j]
		}
	}
	main = video[0]
	if len(video) > 1 {
		sub = video[1]
	}
	return main, sub
}

func area(p Profile) int { return p.Width * p.Height }
