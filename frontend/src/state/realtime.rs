//! Live events over `GET /api/v1/ws`: one socket per signed-in tab, typed events handed to the
//! screens that subscribed, reconnection with backoff that resumes after the last `seq` seen (so
//! nothing is missed while offline), and a fresh token for each connection.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
pub use shared::events::MessageUpdate;
use shared::events::{CLOSE_RESUME, CLOSE_RESUME_TOO_OLD, CLOSE_SERVER_LEAVING, Event, EventFrame};
use shared::ids::TicketId;
use shared::tickets::{Message, Ticket};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api::{ApiError, client};

const MAX_BACKOFF_MS: f64 = 30_000.0;

#[derive(Clone, Debug, PartialEq)]
pub enum LiveEvent {
    TicketCreated(Ticket),
    TicketUpdated(Ticket),
    TicketDeleted(TicketId),
    MessageCreated(Message),
    MessageUpdated(MessageUpdate),
    /// Any other server event (contacts, notes, schedules, connections…), for the screens that want it.
    Other(Event),
    /// Connected without resuming: events may have been missed, lists should reload.
    Resync,
    /// Reconnected and resumed: missed events follow, except about tickets the user may no longer
    /// see (lists holding tickets reload; derived figures refresh).
    Resumed,
}

impl From<Event> for LiveEvent {
    fn from(event: Event) -> Self {
        match event {
            Event::TicketCreated(ticket) => LiveEvent::TicketCreated(ticket),
            Event::TicketUpdated(ticket) => LiveEvent::TicketUpdated(ticket),
            Event::TicketDeleted(deleted) => LiveEvent::TicketDeleted(deleted.id),
            Event::MessageCreated(message) => LiveEvent::MessageCreated(message),
            Event::MessageUpdated(update) => LiveEvent::MessageUpdated(update),
            other => LiveEvent::Other(other),
        }
    }
}

/// A frame as `(seq, event)`, decoded only through `shared::events`; a type this build does not
/// know still advances `seq`. `None` for text that is not a frame.
pub fn parse_frame(text: &str) -> Option<(i64, Option<LiveEvent>)> {
    let (seq, event) = EventFrame::decode(text)?;
    Some((seq, event.map(LiveEvent::from)))
}

/// Whether a socket closed with `code` reconnects at once (resuming with `since`) rather than
/// after a backoff: the server asked for it (fell behind, resume too old, or the server is leaving
/// in a graceful handover: another instance takes the new socket). Anything else may be an outage.
pub fn reconnect_at_once(code: u16) -> bool {
    matches!(code, CLOSE_RESUME | CLOSE_RESUME_TOO_OLD | CLOSE_SERVER_LEAVING)
}

/// Delay before reconnection attempt `attempt` (0-based): 0.5 s doubling up to 30 s.
pub fn backoff_ms(attempt: u32) -> f64 {
    (500.0 * 2f64.powi(attempt.min(16) as i32)).min(MAX_BACKOFF_MS)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Online,
    /// Lost (or never made); a reconnection is scheduled.
    Offline,
}

type Listener = Rc<dyn Fn(&LiveEvent)>;

#[derive(Default)]
struct Conn {
    socket: Option<web_sys::WebSocket>,
    /// The socket's handlers, kept alive while it is open.
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    last_seq: Option<i64>,
    attempt: u32,
    running: bool,
    timer: Option<TimeoutHandle>,
    /// Bumped for every socket, so a stale socket's callbacks are ignored.
    generation: u32,
}

thread_local! {
    static CONN: RefCell<Conn> = RefCell::new(Conn::default());
    static LISTENERS: RefCell<Vec<(u32, Listener)>> = const { RefCell::new(Vec::new()) };
    static NEXT_LISTENER: RefCell<u32> = const { RefCell::new(0) };
    static LINK: RefCell<Option<RwSignal<Link>>> = const { RefCell::new(None) };
}

/// The connection state, for the offline indicator.
#[derive(Clone, Copy)]
pub struct Realtime {
    pub link: RwSignal<Link>,
}

impl Realtime {
    /// Opens the socket for the signed-in frame; it closes when the calling component is cleaned
    /// up (sign-out).
    pub fn start() -> Self {
        Self::stop();
        let link = RwSignal::new(Link::Connecting);
        LINK.with(|slot| *slot.borrow_mut() = Some(link));
        CONN.with(|conn| conn.borrow_mut().running = true);
        spawn_local(connect());
        // Back online: try at once instead of waiting for the backoff.
        let online = window_event_listener_untyped("online", move |_| reconnect_now());
        on_cleanup(move || {
            online.remove();
            Self::stop();
        });
        Self { link }
    }

    /// Closes the socket (sign-out) and forgets the position.
    pub fn stop() {
        CONN.with(|conn| {
            let mut conn = conn.borrow_mut();
            conn.running = false;
            conn.last_seq = None;
            conn.generation = conn.generation.wrapping_add(1);
            if let Some(timer) = conn.timer.take() {
                timer.clear();
            }
            if let Some(socket) = conn.socket.take() {
                let _ = socket.close();
            }
            conn.handlers.clear();
        });
    }

    pub fn is_offline(&self) -> bool {
        self.link.get() == Link::Offline
    }
}

/// Calls `listener` for every event until the calling component is cleaned up.
pub fn subscribe(listener: impl Fn(&LiveEvent) + 'static) {
    let id = NEXT_LISTENER.with(|next| {
        let mut next = next.borrow_mut();
        *next = next.wrapping_add(1);
        *next
    });
    LISTENERS.with(|listeners| listeners.borrow_mut().push((id, Rc::new(listener))));
    on_cleanup(move || LISTENERS.with(|listeners| listeners.borrow_mut().retain(|(other, _)| *other != id)));
}

fn dispatch(event: &LiveEvent) {
    let listeners: Vec<Listener> =
        LISTENERS.with(|listeners| listeners.borrow().iter().map(|(_, l)| l.clone()).collect());
    for listener in listeners {
        listener(event);
    }
}

fn set_link(link: Link) {
    if let Some(signal) = LINK.with(|slot| *slot.borrow()) {
        signal.try_set(link);
    }
}

/// The socket's URL; the token travels as a subprotocol (`bearer, <token>`), not in the URL, so
/// it stays out of proxy and server logs.
fn ws_url(since: Option<i64>) -> String {
    let location = window().location();
    let scheme = if location.protocol().ok().as_deref() == Some("https:") { "wss" } else { "ws" };
    let host = location.host().unwrap_or_default();
    let mut url = format!("{scheme}://{host}{}/ws", client::BASE);
    if let Some(since) = since {
        url.push_str(&format!("?since={since}"));
    }
    url
}

fn reconnect_now() {
    let waiting = CONN.with(|conn| {
        let mut conn = conn.borrow_mut();
        if !conn.running || conn.socket.is_some() {
            return false;
        }
        if let Some(timer) = conn.timer.take() {
            timer.clear();
        }
        conn.attempt = 0;
        true
    });
    if waiting {
        spawn_local(connect());
    }
}

fn schedule_reconnect(immediately: bool) {
    CONN.with(|conn| {
        let mut conn = conn.borrow_mut();
        if !conn.running {
            return;
        }
        let delay = if immediately { 100.0 } else { backoff_ms(conn.attempt) + js_sys::Math::random() * 300.0 };
        conn.attempt = conn.attempt.saturating_add(1);
        if let Some(timer) = conn.timer.take() {
            timer.clear();
        }
        conn.timer = set_timeout_with_handle(|| spawn_local(connect()), Duration::from_millis(delay as u64)).ok();
    });
}

async fn connect() {
    if !CONN.with(|conn| conn.borrow().running) {
        return;
    }
    let token = match client::access_token().await {
        Ok(token) => token,
        Err(ApiError::SessionEnded) => return,
        Err(_) => {
            set_link(Link::Offline);
            schedule_reconnect(false);
            return;
        }
    };
    let since = CONN.with(|conn| conn.borrow().last_seq);
    let protocols = js_sys::Array::of2(&"bearer".into(), &token.as_str().into());
    let Ok(socket) = web_sys::WebSocket::new_with_str_sequence(&ws_url(since), &protocols) else {
        set_link(Link::Offline);
        schedule_reconnect(false);
        return;
    };
    let generation = CONN.with(|conn| {
        let mut conn = conn.borrow_mut();
        conn.generation = conn.generation.wrapping_add(1);
        conn.generation
    });
    let current = move || CONN.with(|conn| conn.borrow().generation == generation);

    let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        if !current() {
            return;
        }
        CONN.with(|conn| conn.borrow_mut().attempt = 0);
        set_link(Link::Online);
        dispatch(if since.is_none() { &LiveEvent::Resync } else { &LiveEvent::Resumed });
    });
    let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        if !current() {
            return;
        }
        let Some(text) = event.dyn_ref::<web_sys::MessageEvent>().and_then(|m| m.data().as_string()) else {
            return;
        };
        let Some((seq, event)) = parse_frame(&text) else { return };
        let fresh = CONN.with(|conn| {
            let mut conn = conn.borrow_mut();
            if conn.last_seq.is_some_and(|last| seq <= last) {
                return false;
            }
            conn.last_seq = Some(seq);
            true
        });
        if let (true, Some(event)) = (fresh, event) {
            dispatch(&event);
        }
    });
    let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        if !current() {
            return;
        }
        let code = event.dyn_ref::<web_sys::CloseEvent>().map(|c| c.code()).unwrap_or(0);
        let running = CONN.with(|conn| {
            let mut conn = conn.borrow_mut();
            conn.socket = None;
            // Too far back to resume: connect fresh, and the lists reload (`Resync`).
            if code == CLOSE_RESUME_TOO_OLD {
                conn.last_seq = None;
            }
            conn.running
        });
        if running {
            let at_once = reconnect_at_once(code);
            set_link(if at_once { Link::Connecting } else { Link::Offline });
            schedule_reconnect(at_once);
        }
    });
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    CONN.with(|conn| {
        let mut conn = conn.borrow_mut();
        if let Some(old) = conn.socket.replace(socket) {
            let _ = old.close();
        }
        conn.handlers = vec![on_open, on_message, on_close];
    });
}

#[cfg(test)]
mod tests {
    use shared::tickets::MessageStatus;

    use super::*;

    #[test]
    fn frames_become_typed_events() {
        let frame = r#"{"seq": 7, "type": "message.updated", "data": {"id": 3, "ticket_id": 9, "status": "read", "error": null, "external_id": "x"}}"#;
        let (seq, event) = parse_frame(frame).unwrap_or((0, None));
        assert_eq!(seq, 7);
        match event {
            Some(LiveEvent::MessageUpdated(update)) => {
                assert_eq!(update.status, MessageStatus::Read);
                assert_eq!(update.ticket_id, TicketId(9));
            }
            other => panic!("unexpected {other:?}"),
        }
        let (seq, event) = parse_frame(r#"{"seq": 8, "type": "tag.updated", "data": {}}"#).unwrap_or((0, None));
        assert_eq!((seq, event), (8, None), "unknown types still advance seq");
        assert!(parse_frame("not json").is_none());
    }

    #[test]
    fn a_server_leaving_is_reconnected_at_once_an_outage_with_backoff() {
        assert!(reconnect_at_once(shared::events::CLOSE_SERVER_LEAVING), "graceful handover");
        assert!(reconnect_at_once(CLOSE_RESUME) && reconnect_at_once(CLOSE_RESUME_TOO_OLD));
        assert!(!reconnect_at_once(1006), "abnormal closure: back off");
        assert!(!reconnect_at_once(shared::events::CLOSE_UNAUTHORIZED), "sign in again first");
    }

    #[test]
    fn backoff_doubles_up_to_a_ceiling() {
        assert_eq!(backoff_ms(0), 500.0);
        assert_eq!(backoff_ms(1), 1000.0);
        assert_eq!(backoff_ms(3), 4000.0);
        assert_eq!(backoff_ms(10), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(u32::MAX), MAX_BACKOFF_MS);
    }
}
