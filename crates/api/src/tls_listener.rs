//! A TCP listener that hands out TLS connections, for `axum::serve`.
//!
//! The handshakes run beside the accept loop (at most
//! [`MAX_HANDSHAKES`] at once, each within [`HANDSHAKE_TIMEOUT`]), so a
//! client that connects and says nothing holds one slot for a few seconds
//! rather than stopping every other connection from being accepted.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;

/// Handshakes in progress at once; further connections wait in the
/// kernel's backlog.
pub const MAX_HANDSHAKES: usize = 256;
/// How long a client may take to finish its handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

type Handshake = Option<(TlsStream<TcpStream>, SocketAddr)>;

/// Accepts TCP connections and completes their TLS handshakes.
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    pending: JoinSet<Handshake>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<ServerConfig>) -> TlsListener {
        TlsListener {
            tcp,
            acceptor: TlsAcceptor::from(config),
            pending: JoinSet::new(),
        }
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            tokio::select! {
                done = self.pending.join_next(), if !self.pending.is_empty() => {
                    if let Some(Ok(Some(connection))) = done {
                        return connection;
                    }
                }
                accepted = self.tcp.accept(), if self.pending.len() < MAX_HANDSHAKES => {
                    match accepted {
                        Ok((stream, addr)) => {
                            let acceptor = self.acceptor.clone();
                            self.pending.spawn(async move {
                                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                                    Ok(Ok(tls)) => Some((tls, addr)),
                                    Ok(Err(e)) => {
                                        tracing::debug!(%addr, error = %e, "TLS handshake failed");
                                        None
                                    }
                                    Err(_) => {
                                        tracing::debug!(%addr, "TLS handshake timed out");
                                        None
                                    }
                                }
                            });
                        }
                        // As axum's own TCP listener does: out of file
                        // descriptors and the like pass; wait a little.
                        Err(e) => {
                            tracing::warn!(error = %e, "accepting a TLS connection failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
