package dev.eve4j.channel;

import java.io.InputStream;

/**
 * The bytes of an inbound file, opened for a signed download: the caller reads and closes {@code
 * bytes} (they stay readable even if the file is resolved or expires meanwhile).
 */
public record FileDownload(InboundFile file, InputStream bytes) {}
