package netns

import (
	"net"
	"testing"
)

func TestLoopbackAlone(t *testing.T) {
	if !Loopback(t) {
		return
	}
	ifs, err := net.Interfaces()
	if err != nil || len(ifs) != 1 || ifs[0].Flags&net.FlagUp == 0 || ifs[0].Flags&net.FlagMulticast == 0 {
		t.Fatalf("interfaces %v %v", ifs, err)
	}
}
