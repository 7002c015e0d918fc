package api

import (
	"net/http"
	"strconv"
	"sync"
)

// userSlots counts what each user holds open (WHEP sessions, consoles),
// so that one user (or one stolen token) cannot take the gateway's
// capacity from all others.
type userSlots struct {
	mu   sync.Mutex
	held map[string]int
}

// take reserves a slot for user unless max (> 0) are held already.
func (u *userSlots) take(user string, max int) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if max > 0 && u.held[user] >= max {
		return false
	}
	if u.held == nil {
		u.held = make(map[string]int)
	}
	u.held[user]++
	return true
}

// give returns a slot taken by take.
func (u *userSlots) give(user string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.held[user]--; u.held[user] <= 0 {
		delete(u.held, user)
	}
}

// tooMany answers 429 for a per-user limit.
func tooMany(w http.ResponseWriter, what string, max int) {
	w.Header().Set("Retry-After", "10")
	writeError(w, http.StatusTooManyRequests, "at most "+strconv.Itoa(max)+" "+what+" per user; close one first")
}
