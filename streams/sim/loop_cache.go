package sim

import (
	"sync"
)

// loopCacheIdleBytes bounds the loops kept while no camera uses them, so
// a camera created again soon (a test's next server, a restarted demo)
// does not run ffmpeg again, without the cache growing for ever.
const loopCacheIdleBytes = 32 << 20

// sized is a cached loop: video or audio.
type sized interface{ bytes() int }

// loopCache shares encoded loops between cameras: identical keys are
// encoded once, concurrent requests wait for the one encode.
type loopCache struct {
	mu      sync.Mutex
	entries map[any]*loopEntry
	clock   int64 // orders idle entries for eviction
	idle    int   // bytes of entries no camera holds
}

type loopEntry struct {
	ready chan struct{} // closed when val or err is set
	val   sized
	err   error
	refs  int
	since int64 // clock when refs dropped to 0
}

var loops = &loopCache{entries: make(map[any]*loopEntry)}

// acquire returns the loop of key, building it on first use, and a
// release function to call once the camera is done with it.
func (c *loopCache) acquire(key any, build func() (sized, error)) (sized, func(), error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		e = &loopEntry{ready: make(chan struct{})}
		c.entries[key] = e
	} else if e.refs == 0 && e.val != nil {
		c.idle -= e.val.bytes()
	}
	e.refs++
	c.mu.Unlock()
	if !ok {
		e.val, e.err = build()
		close(e.ready)
	}
	<-e.ready
	if e.err != nil {
		c.mu.Lock()
		// A failed encode is not cached: the next camera tries again.
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
		return nil, nil, e.err
	}
	var once sync.Once
	return e.val, func() { once.Do(func() { c.release(key, e) }) }, nil
}

func (c *loopCache) release(key any, e *loopEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.refs--
	if e.refs > 0 {
		return
	}
	c.clock++
	e.since = c.clock
	c.idle += e.val.bytes()
	for c.idle > loopCacheIdleBytes {
		c.evictOldest()
	}
}

// evictOldest drops the idle entry released longest ago.
func (c *loopCache) evictOldest() {
	var oldKey any
	var old *loopEntry
	for k, e := range c.entries {
		if e.refs == 0 && e.val != nil && (old == nil || e.since < old.since) {
			oldKey, old = k, e
		}
	}
	if old == nil {
		c.idle = 0
		return
	}
	delete(c.entries, oldKey)
	c.idle -= old.val.bytes()
}
