//! What an inbound message carries beside its text (`Message.metadata`), shown in its bubble: the
//! ad the customer came from, an order, shared contact cards, a location's link, the payload of a
//! pressed button or the id of a chosen reply, and who wrote it in a group.

use leptos::prelude::*;
use shared::message_meta::{MessageMetadata, Order, Participant, Referral, SharedContact};

use crate::i18n::{Key, Locale, use_i18n};
use crate::t;

/// A link the customer (or Meta) sent, only when it is http(s): never `javascript:` and the like.
fn safe_href(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| url.to_owned())
}

/// `BRL 30,00` in Portuguese, `BRL 30.00` in English.
pub fn money(locale: Locale, currency: &str, amount: f64) -> String {
    let number = format!("{amount:.2}");
    let number = if locale == Locale::Pt { number.replace('.', ",") } else { number };
    format!("{currency} {number}").trim().to_owned()
}

/// Who wrote a group message, above its content.
#[component]
pub fn ParticipantLine(participant: Participant) -> impl IntoView {
    let number = (participant.number != participant.name).then(|| {
        view! { <span class="msg-participant-number">{participant.number.clone()}</span> }
    });
    view! {
        <div class="msg-participant" data-testid="message-participant">
            <strong>{participant.name.clone()}</strong>
            {number}
        </div>
    }
}

/// The ad (or post) a click-to-WhatsApp conversation started from.
#[component]
fn ReferralBanner(referral: Referral) -> impl IntoView {
    let i18n = use_i18n();
    let from_post = referral.source_type.as_deref() == Some("post");
    let href = referral.source_url.as_deref().and_then(safe_href);
    let headline = referral.headline.clone();
    view! {
        <div class="msg-referral" data-testid="message-referral">
            <span class="msg-referral-kind">
                {move || if from_post { i18n.t(Key::ReferralFromPost) } else { i18n.t(Key::ReferralFromAd) }}
            </span>
            {headline.map(|h| view! { <strong class="msg-referral-headline">{h}</strong> })}
            {referral.body.clone().map(|b| view! { <span class="msg-referral-body">{b}</span> })}
            {href.map(|href| view! {
                <a href=href target="_blank" rel="noopener noreferrer nofollow">{t!(i18n, OpenLink)}</a>
            })}
        </div>
    }
}

#[component]
fn OrderCard(order: Order) -> impl IntoView {
    let i18n = use_i18n();
    let lines = order
        .items
        .iter()
        .map(|item| {
            let item = item.clone();
            view! {
                <li data-testid="order-item">
                    <span class="order-qty">{format!("{} ×", item.quantity)}</span>
                    <span class="order-product">{item.product_retailer_id.clone()}</span>
                    <span class="order-price">{move || money(i18n.locale(), &item.currency, item.item_price)}</span>
                </li>
            }
        })
        .collect_view();
    let total = order.total.zip(order.currency.clone());
    view! {
        <div class="msg-card msg-order" data-testid="message-order">
            <div class="msg-card-title"><span aria-hidden="true">"🛒 "</span>{t!(i18n, OrderTitle)}</div>
            <ul class="order-items">{lines}</ul>
            {total.map(|(total, currency)| view! {
                <div class="order-total" data-testid="order-total">
                    <span>{t!(i18n, OrderTotal)}</span>
                    <strong>{move || money(i18n.locale(), &currency, total)}</strong>
                </div>
            })}
            {order.text.clone().map(|text| view! { <div class="order-note">{text}</div> })}
        </div>
    }
}

#[component]
fn ContactCard(card: SharedContact) -> impl IntoView {
    let i18n = use_i18n();
    let phones = card
        .phones
        .iter()
        .map(|p| {
            let label = p.label.clone().map(|l| format!(" ({})", l.to_lowercase()));
            view! { <li class="contact-card-phone">{p.phone.clone()}{label}</li> }
        })
        .collect_view();
    let emails = card.emails.iter().map(|e| view! { <li class="contact-card-email">{e.clone()}</li> }).collect_view();
    view! {
        <div class="msg-card msg-contact-card" data-testid="message-contact-card">
            <div class="msg-card-title"><span aria-hidden="true">"👤 "</span>{t!(i18n, SharedContactTitle)}</div>
            <strong class="contact-card-name">{card.name.clone()}</strong>
            {card.organization.clone().map(|o| view! { <span class="contact-card-org">{o}</span> })}
            <ul>{phones}{emails}</ul>
        </div>
    }
}

/// What goes above the message's content: the ad it came from.
pub fn above(meta: Option<&MessageMetadata>) -> Option<AnyView> {
    let referral = meta?.referral.clone()?;
    Some(view! { <ReferralBanner referral=referral/> }.into_any())
}

/// Cards that replace or complete the text: an order, shared contacts.
pub fn cards(meta: Option<&MessageMetadata>) -> Option<AnyView> {
    let meta = meta?;
    if meta.order.is_none() && meta.contacts.is_empty() {
        return None;
    }
    let order = meta.order.clone().map(|order| view! { <OrderCard order=order/> });
    let contacts = meta.contacts.iter().cloned().map(|card| view! { <ContactCard card=card/> }).collect_view();
    Some(view! { {order}{contacts} }.into_any())
}

/// A discreet caption below: the pressed button's payload, the chosen reply's id, a location's link.
pub fn caption(meta: Option<&MessageMetadata>) -> Option<AnyView> {
    let i18n = use_i18n();
    let meta = meta?;
    let button = meta.button.as_ref().and_then(|b| b.payload.clone()).map(|payload| {
        view! { <span data-testid="message-button-payload">{t!(i18n, ButtonPayload)}": "<code>{payload}</code></span> }
    });
    let reply = meta.reply.as_ref().map(|r| {
        let id = r.id.clone();
        view! { <span data-testid="message-reply-id">{t!(i18n, ReplyOption)}": "<code>{id}</code></span> }
    });
    let link = meta.location.as_ref().and_then(|l| l.url.as_deref()).and_then(safe_href).map(|href| {
        view! {
            <a data-testid="message-location-url" href=href target="_blank" rel="noopener noreferrer nofollow">
                {t!(i18n, OpenLink)}
            </a>
        }
    });
    if button.is_none() && reply.is_none() && link.is_none() {
        return None;
    }
    Some(view! { <div class="msg-extra">{button}{reply}{link}</div> }.into_any())
}

/// The placeholder of a message WhatsApp did not deliver to the API, with the provider's reason
/// as its title.
#[component]
pub fn UnsupportedPlaceholder(reason: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="msg-unsupported" data-testid="message-unsupported" title=reason.unwrap_or_default()>
            <span aria-hidden="true">"⚠ "</span>
            <em>{t!(i18n, UnsupportedMessage)}</em>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_only_http() {
        assert_eq!(safe_href(" https://fb.me/x ").as_deref(), Some("https://fb.me/x"));
        assert_eq!(safe_href("HTTP://a.b").as_deref(), Some("HTTP://a.b"));
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(safe_href("data:text/html,x"), None);
    }

    #[test]
    fn money_reads_in_each_language() {
        assert_eq!(money(Locale::Pt, "BRL", 30.0), "BRL 30,00");
        assert_eq!(money(Locale::En, "BRL", 1234.5), "BRL 1234.50");
    }
}
