// Copyright 2026 The ccverify Authors
// SPDX-License-Identifier: Apache-2.0

package amd

import (
	"context"
	"time"
)

// SetKDSClock replaces k's clock and its way of waiting (tests only).
func SetKDSClock(k *KDS, now func() time.Time, sleep func(context.Context, time.Duration) error) {
	k.now, k.sleep = now, sleep
}

// KDSCacheSize returns the number of responses k keeps and their accounted bytes.
func KDSCacheSize(k *KDS) (entries int, bytes int64) {
	k.f.mu.Lock()
	defer k.f.mu.Unlock()
	return len(k.f.entries), k.f.bytes
}

// KDSWaiters returns how many callers wait for the request of URL u in flight.
func KDSWaiters(k *KDS, u string) int {
	k.f.mu.Lock()
	defer k.f.mu.Unlock()
	if c := k.f.calls[u]; c != nil {
		return c.waiters
	}
	return 0
}

// Defaults of the KDS fields, for tests.
const (
	DefaultKDSMaxEntries  = kdsMaxEntries
	DefaultKDSMaxBytes    = kdsMaxBytes
	DefaultKDSMaxAge      = kdsMaxAge
	DefaultKDSNegativeTTL = kdsNegativeTTL
)
