package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"vigil/streams/onvif"
)

// ONVIFOptions configure the ONVIF devices of a Server's cameras.
type ONVIFOptions struct {
	// Listen is the first device's HTTP address; the next cameras take
	// the next ports (port 0: each its own free port). Default
	// 127.0.0.1:0.
	Listen string
	// Username and Password, when set, are demanded as a WS-Security
	// UsernameToken with PasswordDigest; default the Server's.
	Username, Password string
	// Announce answers WS-Discovery probes on Group (default the ONVIF
	// group) joined on Interface ("" lets the system pick).
	Announce         bool
	Group, Interface string
	// ClockSkew sets the devices' clocks off the real one, as cameras
	// without NTP are: a client must sign with the device's time.
	ClockSkew time.Duration
}

// ONVIF serves one ONVIF device per camera of a Server, each on its own
// HTTP port as real cameras are on their own addresses: device, media
// and PTZ services at /onvif/device_service, /onvif/media and
// /onvif/ptz, and GET /sim/ptz for tests (the dome's position and
// window).
type ONVIF struct {
	srv        *Server
	o          ONVIFOptions
	devices    map[string]*simDevice
	announcers []*onvif.Announcer
	served     sync.WaitGroup
}

// simDevice is one camera's HTTP listener.
type simDevice struct {
	ln   net.Listener
	http *http.Server
}

// StartONVIF starts the devices; Close stops them.
func (s *Server) StartONVIF(o ONVIFOptions) (*ONVIF, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Username == "" {
		o.Username, o.Password = s.opts.Username, s.opts.Password
	}
	host, port, err := splitListen(o.Listen)
	if err != nil {
		return nil, err
	}
	d := &ONVIF{srv: s, o: o, devices: map[string]*simDevice{}}
	for i, cam := range s.Cameras() {
		p := port
		if port != 0 {
			p = port + i
		}
		if err := d.listen(cam, net.JoinHostPort(host, strconv.Itoa(p))); err != nil {
			d.Close()
			return nil, err
		}
	}
	if o.Announce {
		if err := d.announce(); err != nil {
			d.Close()
			return nil, err
		}
	}
	return d, nil
}

func splitListen(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("sim onvif: listen %q: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("sim onvif: listen %q: bad port", addr)
	}
	return host, port, nil
}

func (d *ONVIF) listen(cam, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sim onvif: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /onvif/{service}", func(w http.ResponseWriter, r *http.Request) { d.serveSOAP(w, r, cam) })
	mux.HandleFunc("GET /sim/ptz", func(w http.ResponseWriter, r *http.Request) { d.servePosition(w, r, cam) })
	mux.HandleFunc("GET /sim/snapshot.jpg", func(w http.ResponseWriter, r *http.Request) { d.serveSnapshot(w, r, cam) })
	dev := &simDevice{ln: ln, http: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
	d.devices[cam] = dev
	d.served.Go(func() { _ = dev.http.Serve(ln) })
	return nil
}

func (d *ONVIF) announce() error {
	for _, cam := range d.srv.Cameras() {
		model := "SIM-IPC"
		if d.srv.PTZ(cam) != nil {
			model = "SIM-PTZ"
		}
		a, err := onvif.NewAnnouncer(onvif.AnnouncerOptions{
			Group: d.o.Group, Interface: d.o.Interface, Address: "urn:uuid:" + simUUID(cam),
			Name: cam, Manufacturer: "vigil camsim", Model: model, XAddrs: []string{d.DeviceURL(cam)},
		})
		if err != nil {
			return fmt.Errorf("sim onvif: %w", err)
		}
		d.announcers = append(d.announcers, a)
	}
	return nil
}

// simUUID is a stable endpoint id per camera name.
func simUUID(cam string) string {
	var b [16]byte
	copy(b[:], "vigil-sim-"+cam)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Addr is camera cam's HTTP address ("" for an unknown camera).
func (d *ONVIF) Addr(cam string) string {
	if dev, ok := d.devices[cam]; ok {
		return dev.ln.Addr().String()
	}
	return ""
}

// DeviceURL is camera cam's device service.
func (d *ONVIF) DeviceURL(cam string) string { return d.serviceURL(cam, "device_service") }

func (d *ONVIF) serviceURL(cam, service string) string {
	return "http://" + d.Addr(cam) + "/onvif/" + service
}

// Close stops answering and waits.
func (d *ONVIF) Close() {
	for _, a := range d.announcers {
		_ = a.Close()
	}
	for _, dev := range d.devices {
		_ = dev.http.Shutdown(context.Background())
	}
	d.served.Wait()
}

func (d *ONVIF) now() time.Time { return time.Now().Add(d.o.ClockSkew) }

// soapFault is an operation's refusal.
type soapFault struct {
	status           int
	code, sub, words string
}

func (f *soapFault) Error() string { return f.words }

func invalidArg(sub, words string) *soapFault {
	return &soapFault{http.StatusBadRequest, "env:Sender", "ter:InvalidArgVal/" + sub, words}
}

var errNotSupported = &soapFault{http.StatusBadRequest, "env:Receiver", "ter:ActionNotSupported", "Optional Action Not Implemented"}

func (d *ONVIF) serveSOAP(w http.ResponseWriter, r *http.Request, cam string) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	var req *onvif.Request
	if err == nil {
		req, err = onvif.ReadRequest(data)
	}
	if err != nil {
		writeFault(w, &soapFault{http.StatusBadRequest, "env:Sender", "ter:WellFormed", "malformed request"})
		return
	}
	if req.Op != "GetSystemDateAndTime" && d.o.Username != "" {
		if err := req.Token.Check(d.o.Username, d.o.Password, d.now(), 10*time.Second); err != nil {
			writeFault(w, &soapFault{http.StatusBadRequest, "env:Sender", "ter:NotAuthorized", "Sender not authorized"})
			return
		}
	}
	body, err := d.operate(cam, req)
	var f *soapFault
	if errors.As(err, &f) {
		writeFault(w, f)
		return
	}
	_, _ = io.WriteString(w, onvif.Reply(body))
}

func writeFault(w http.ResponseWriter, f *soapFault) {
	w.WriteHeader(f.status)
	_, _ = io.WriteString(w, onvif.FaultReply(f.code, f.sub, f.words))
}

// operate answers one operation: the device's, the media's or the PTZ's.
func (d *ONVIF) operate(cam string, req *onvif.Request) (string, error) {
	if body, ok := d.deviceOp(cam, req.Op); ok {
		return body, nil
	}
	if body, err, ok := d.mediaOp(cam, req); ok {
		return body, err
	}
	if strings.HasPrefix(req.Op, "Get") && req.Op != "GetPresets" && req.Op != "GetStatus" {
		return "", errNotSupported
	}
	return d.ptzOp(cam, req)
}

// serveSnapshot answers GetSnapshotUri's address: a JPEG of the camera's
// picture now (the dome's window where it is), drawn apart from the
// camera's own, which its goroutine owns.
func (d *ONVIF) serveSnapshot(w http.ResponseWriter, r *http.Request, cam string) {
	o := d.srv.byName[cam].opts
	po := PictureOptions{Width: o.Width, Height: o.Height, Index: o.Index, Title: o.Title}
	if r.URL.Query().Get("profile") == "sub" {
		po.Width, po.Height = o.Width/2&^1, o.Height/2&^1
	}
	if o.PTZ != nil {
		po.View = o.PTZ.View
	}
	pic, err := NewPicture(po)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	_ = jpeg.Encode(w, pic.Draw(time.Now(), 0), &jpeg.Options{Quality: 80})
}

type simPosition struct {
	Pan, Tilt, Zoom float64
	X, Y            float64 // the window's place, 0…1
	Moving          bool
}

func (d *ONVIF) servePosition(w http.ResponseWriter, r *http.Request, cam string) {
	p := d.srv.PTZ(cam)
	if p == nil {
		http.NotFound(w, r)
		return
	}
	pos := p.Position()
	x, y := p.View()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(simPosition{Pan: pos.Pan, Tilt: pos.Tilt, Zoom: pos.Zoom, X: x, Y: y, Moving: p.Moving()})
}
