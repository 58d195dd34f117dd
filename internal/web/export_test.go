package web

// ErrorLogInterval is how often a burst of errors is summed up in the log.
const ErrorLogInterval = errorLogInterval

// PageCacheHits counts the pages answered from the page cache.
func (s *Server) PageCacheHits() int64 {
	if s.cache == nil {
		return 0
	}
	return s.cache.hits.Load()
}
