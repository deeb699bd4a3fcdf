/**
 * I/O plumbing shared by eve4j's servlets (asynchronous request bodies). Public only so that the
 * face packages can share one implementation; not a stable API.
 */
package dev.eve4j.servlet.io;
