package web

// ErrorLogInterval is how often a burst of errors is summed up in the log.
const ErrorLogInterval = errorLogInterval
