//! Avaliação: send the satisfaction survey now, and the ticket's rating once the contact answers
//! (kept live by `rating.updated`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::events::Event;
use shared::ids::TicketId;
use shared::ratings::{RatingState, TicketRating};

use crate::api::{self, ApiError};
use crate::i18n::{self, Key, use_i18n};
use crate::state::realtime::{self, LiveEvent};
use crate::state::settings::use_settings;
use crate::t;
use crate::time;

#[component]
pub fn TicketRatingSection(id: TicketId) -> impl IntoView {
    let i18n = use_i18n();
    let settings = use_settings();
    let rating = RwSignal::new(None::<TicketRating>);
    let error = RwSignal::new(None::<ApiError>);
    let sending = RwSignal::new(false);

    let load = move || {
        spawn_local(async move {
            match api::ratings::of_ticket(id).await {
                Ok(found) => {
                    rating.try_set(found);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };
    load();
    realtime::subscribe(move |event| match event {
        // Only the newest survey of the ticket is shown.
        LiveEvent::Other(Event::RatingUpdated(updated))
            if updated.ticket_id == id
                && rating.with_untracked(|r| r.as_ref().is_none_or(|r| r.id.0 <= updated.id.0)) =>
        {
            rating.try_set(Some(updated.clone()));
        }
        LiveEvent::Resync => load(),
        _ => {}
    });

    let enabled = move || settings.general().ratings.enabled;
    let send = move |_| {
        sending.set(true);
        error.set(None);
        spawn_local(async move {
            match api::ratings::request(id).await {
                Ok(sent) => {
                    rating.try_set(Some(sent));
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
            sending.try_set(false);
        });
    };

    view! {
        <h4 class="section-title">{t!(i18n, Rating)}</h4>
        <div class="rating-section" data-testid="ticket-rating">
            {move || rating.get().map(|r| {
                let state = match r.state {
                    RatingState::Received => i18n::rating_score(i18n.locale(), r.score.unwrap_or_default(), r.scale),
                    RatingState::Awaiting => {
                        format!("{} {}", i18n.t(Key::RatingAwaitingUntil), time::full(&r.expires_at, i18n.locale()))
                    }
                    RatingState::Expired => i18n.t(Key::RatingExpired).to_owned(),
                    RatingState::Abandoned => i18n.t(Key::RatingAbandoned).to_owned(),
                };
                let received = r.state == RatingState::Received;
                view! {
                    <p class="rating-state" class:rating-received=received data-testid="rating-state" data-state=r.state.as_str()>
                        {state}
                    </p>
                }
            })}
            <Show when=move || rating.with(Option::is_none) && error.with(Option::is_none)>
                <p class="muted" data-testid="rating-none">{t!(i18n, RatingNone)}</p>
            </Show>
            {move || error.get().map(|err| view! {
                <div class="alert alert-error" role="alert" data-testid="rating-error">{move || err.user_message(i18n.locale())}</div>
            })}
            <button
                type="button"
                class="btn btn-small"
                data-testid="rating-send"
                disabled=move || !enabled() || sending.get()
                title=move || (!enabled()).then(|| i18n.t(Key::RatingsOff))
                on:click=send
            >
                {t!(i18n, SendRating)}
            </button>
            <Show when=move || !enabled()>
                <p class="muted hint" data-testid="rating-off">{t!(i18n, RatingsOff)}</p>
            </Show>
        </div>
    }
}
