package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// procSample is a process's CPU time and memory at one instant, read
// from /proc.
type procSample struct {
	at      time.Time
	cpu     float64 // utime + stime, seconds
	machine float64 // every process's busy CPU seconds (only taken for the window)
	rssMB   float64
	threads int
}

// clockTicks is USER_HZ, the unit of utime and stime: 100 on Linux.
const clockTicks = 100

// readProc samples process pid ("self" for this one).
func readProc(pid string) (procSample, error) {
	s := procSample{at: time.Now()}
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return s, err
	}
	// The fields after the command name, which is in parentheses.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 || i+2 > len(b) {
		return s, fmt.Errorf("/proc/%s/stat: unexpected format", pid)
	}
	fields := strings.Fields(string(b[i+2:]))
	if len(fields) < 18 {
		return s, fmt.Errorf("/proc/%s/stat: unexpected format", pid)
	}
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	s.cpu = (utime + stime) / clockTicks
	s.threads, _ = strconv.Atoi(fields[17])
	s.rssMB = statusMB(pid, "VmRSS:")
	return s, nil
}

// statusMB reads a kB field of /proc/pid/status in MB.
func statusMB(pid, key string) float64 {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// cores is the CPU used between two samples, in cores.
func cores(a, b procSample) float64 {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return 0
	}
	return (b.cpu - a.cpu) / wall
}

// machineBusy returns the seconds all CPUs spent busy since boot (every
// field of /proc/stat's cpu line but idle and iowait).
func machineBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line)
	busy := 0.0
	for i, f := range fields[1:] {
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest time is counted in user already
			continue
		}
		v, _ := strconv.ParseFloat(f, 64)
		busy += v
	}
	return busy / clockTicks
}
