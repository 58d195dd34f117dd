package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/isogap/isogap/internal/store"
)

// storeCollector reads a store's Stats when scraped.
type storeCollector struct{ st store.StatsReporter }

var (
	poolLabels    = []string{"engine", "pool"}
	descMaxConns  = prometheus.NewDesc("isogap_db_connections_max", "Most connections the pool opens (0: no limit).", poolLabels, nil)
	descConns     = prometheus.NewDesc("isogap_db_connections", "Connections open in the pool, by state: in_use or idle.", append(poolLabels, "state"), nil)
	descWaits     = prometheus.NewDesc("isogap_db_connection_waits_total", "Times a request waited for a free connection of the pool.", poolLabels, nil)
	descWaitTime  = prometheus.NewDesc("isogap_db_connection_wait_seconds_total", "Time spent waiting for a free connection of the pool.", poolLabels, nil)
	descClosed    = prometheus.NewDesc("isogap_db_connections_closed_total", "Connections the pool closed, by reason: max_idle, max_idle_time or max_lifetime.", append(poolLabels, "reason"), nil)
	descTxRetries = prometheus.NewDesc("isogap_db_transaction_retries_total", "Transactions re-run after a deadlock or a serialization failure.", []string{"engine"}, nil)
)

func (storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descMaxConns, descConns, descWaits, descWaitTime, descClosed, descTxRetries} {
		ch <- d
	}
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.st.Stats()
	for _, p := range s.Pools {
		e, n := s.Engine, p.Pool
		ch <- prometheus.MustNewConstMetric(descMaxConns, prometheus.GaugeValue, float64(p.MaxOpen), e, n)
		ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(p.InUse), e, n, "in_use")
		ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(p.Idle), e, n, "idle")
		ch <- prometheus.MustNewConstMetric(descWaits, prometheus.CounterValue, float64(p.WaitCount), e, n)
		ch <- prometheus.MustNewConstMetric(descWaitTime, prometheus.CounterValue, p.WaitDuration.Seconds(), e, n)
		for reason, count := range p.Closed {
			ch <- prometheus.MustNewConstMetric(descClosed, prometheus.CounterValue, float64(count), e, n, reason)
		}
	}
	ch <- prometheus.MustNewConstMetric(descTxRetries, prometheus.CounterValue, float64(s.TxRetries), s.Engine)
}
