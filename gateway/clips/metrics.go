package clips

import "sync"

// Jobs is how many export jobs are waiting and running now, and how many
// ended since start, by outcome; read by the gateway's metrics at scrape
// time (vigil_export_jobs, vigil_export_jobs_finished_total).
type Jobs struct {
	Queued, Running int
	Done, Failed    uint64
}

// jobCounts keeps the figures of Jobs that the queue does not hold.
type jobCounts struct {
	mu           sync.Mutex
	running      int
	done, failed uint64
}

func (j *jobCounts) started() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.running++
}

func (j *jobCounts) stopped() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.running--
}

func (j *jobCounts) finished(status string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if status == StatusDone {
		j.done++
	} else {
		j.failed++
	}
}

// Jobs returns the export jobs queued and running now, and those done and
// failed since start.
func (s *Service) Jobs() Jobs {
	s.mu.Lock()
	queued := len(s.queue)
	s.mu.Unlock()
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	return Jobs{Queued: queued, Running: s.jobs.running, Done: s.jobs.done, Failed: s.jobs.failed}
}
