package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"vigil/streams/onvif"
)

// ONVIFOptions configure the ONVIF devices of a Server's cameras.
type ONVIFOptions struct {
	// Listen is the HTTP address; default 127.0.0.1:0.
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

// ONVIF serves one ONVIF device per camera of a Server on one HTTP
// listener: device, media and PTZ services at /onvif/{cam}/{service},
// and GET /sim/{cam}/ptz for tests (the dome's position and window).
type ONVIF struct {
	srv        *Server
	o          ONVIFOptions
	ln         net.Listener
	http       *http.Server
	announcers []*onvif.Announcer
	served     sync.WaitGroup
}

// StartONVIF starts the devices; Close stops them.
func (s *Server) StartONVIF(o ONVIFOptions) (*ONVIF, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Username == "" {
		o.Username, o.Password = s.opts.Username, s.opts.Password
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("sim onvif: %w", err)
	}
	d := &ONVIF{srv: s, o: o, ln: ln}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /onvif/{cam}/{service}", d.serveSOAP)
	mux.HandleFunc("GET /sim/{cam}/ptz", d.servePosition)
	d.http = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	d.served.Go(func() { _ = d.http.Serve(ln) })
	if o.Announce {
		if err := d.announce(); err != nil {
			d.Close()
			return nil, err
		}
	}
	return d, nil
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

// Addr is the HTTP address.
func (d *ONVIF) Addr() string { return d.ln.Addr().String() }

// DeviceURL is camera cam's device service.
func (d *ONVIF) DeviceURL(cam string) string { return d.serviceURL(cam, "device_service") }

func (d *ONVIF) serviceURL(cam, service string) string {
	return "http://" + d.Addr() + "/onvif/" + cam + "/" + service
}

// Close stops answering and waits.
func (d *ONVIF) Close() {
	for _, a := range d.announcers {
		_ = a.Close()
	}
	_ = d.http.Shutdown(context.Background())
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

func (d *ONVIF) serveSOAP(w http.ResponseWriter, r *http.Request) {
	cam := r.PathValue("cam")
	if _, ok := d.srv.byName[cam]; !ok {
		http.NotFound(w, r)
		return
	}
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

type simPosition struct {
	Pan, Tilt, Zoom float64
	X, Y            float64 // the window's place, 0…1
	Moving          bool
}

func (d *ONVIF) servePosition(w http.ResponseWriter, r *http.Request) {
	p := d.srv.PTZ(r.PathValue("cam"))
	if p == nil {
		http.NotFound(w, r)
		return
	}
	pos := p.Position()
	x, y := p.View()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(simPosition{Pan: pos.Pan, Tilt: pos.Tilt, Zoom: pos.Zoom, X: x, Y: y, Moving: p.Moving()})
}
