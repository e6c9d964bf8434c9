//! Etiqueta: the ticket's tags; `+` opens a picker of the company's other tags, × takes one off.
//! The list rows and the header follow through `ticket.updated`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::ids::{TagId, TicketId};
use shared::tags::Tag;
use shared::tickets::Ticket;

use crate::api::ApiError;
use crate::api::tags::{self, TAGS};
use crate::components::icons;
use crate::components::kit::ErrorAlert;
use crate::i18n::use_i18n;
use crate::t;

#[component]
pub fn TicketTags(id: TicketId, ticket: RwSignal<Option<Ticket>>) -> impl IntoView {
    let i18n = use_i18n();
    let picking = RwSignal::new(false);
    let company_tags = RwSignal::new(None::<Vec<Tag>>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let on_ticket = move || ticket.with(|t| t.as_ref().map(|t| t.tags.clone()).unwrap_or_default());

    // Every change answers the ticket as it is now.
    let change = move |tag: TagId, on: bool| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = if on { tags::put_on(id, tag).await } else { tags::take_off(id, tag).await };
            busy.try_set(false);
            match result {
                Ok(updated) => {
                    ticket.try_set(Some(updated));
                    picking.try_set(false);
                }
                Err(err) => {
                    error.try_set(Some(err));
                }
            }
        });
    };

    let open_picker = move |_| {
        let now = !picking.get_untracked();
        picking.set(now);
        if now {
            // Fresh each time: an administrator may have added one since.
            spawn_local(async move {
                match TAGS.list_all().await {
                    Ok(all) => {
                        company_tags.try_set(Some(all));
                    }
                    Err(err) => {
                        error.try_set(Some(err));
                    }
                }
            });
        }
    };

    let choices = move || {
        let current = on_ticket();
        company_tags
            .get()
            .map(|all| all.into_iter().filter(|tag| !current.iter().any(|c| c.id == tag.id)).collect::<Vec<_>>())
    };

    view! {
        <section class="panel-section" data-testid="panel-tags">
            <div class="section-head">
                <h4 class="section-title">{t!(i18n, Tags)}</h4>
                <button
                    type="button"
                    class="icon-button icon-button-small"
                    aria-label=t!(i18n, AddTag)
                    title=t!(i18n, AddTag)
                    aria-expanded=move || picking.get().to_string()
                    data-testid="panel-tag-add"
                    on:click=open_picker
                >
                    {icons::plus()}
                </button>
            </div>
            <div class="chips" data-testid="panel-tag-list">
                {move || on_ticket().into_iter().map(|tag| {
                    let tag_id = tag.id;
                    view! {
                        <span class="chip chip-small tag" style:border-color=tag.color.clone() data-testid="panel-tag" data-tag-id=tag_id.to_string()>
                            <span class="dot" style:background-color=tag.color.clone()></span>
                            {tag.name.clone()}
                            <button
                                type="button"
                                class="chip-remove"
                                aria-label=t!(i18n, RemoveTag)
                                title=t!(i18n, RemoveTag)
                                data-testid="panel-tag-remove"
                                disabled=move || busy.get()
                                on:click=move |_| change(tag_id, false)
                            >
                                "×"
                            </button>
                        </span>
                    }
                }).collect_view()}
            </div>
            <Show when=move || on_ticket().is_empty() && !picking.get()>
                <p class="muted" data-testid="panel-tags-empty">{t!(i18n, NoTagsOnTicket)}</p>
            </Show>
            <Show when=move || picking.get()>
                <div class="tag-picker" role="listbox" aria-label=t!(i18n, AddTag) data-testid="panel-tag-picker">
                    {move || match choices() {
                        None => view! { <p class="muted">{t!(i18n, Loading)}</p> }.into_any(),
                        Some(list) if list.is_empty() => view! {
                            <p class="muted" data-testid="panel-tag-picker-empty">{t!(i18n, NoTagsToAdd)}</p>
                        }.into_any(),
                        Some(list) => list.into_iter().map(|tag| {
                            let tag_id = tag.id;
                            view! {
                                <button
                                    type="button"
                                    role="option"
                                    class="tag-option"
                                    data-testid="panel-tag-option"
                                    data-tag-id=tag_id.to_string()
                                    disabled=move || busy.get()
                                    on:click=move |_| change(tag_id, true)
                                >
                                    <span class="dot" style:background-color=tag.color.clone()></span>
                                    {tag.name.clone()}
                                </button>
                            }
                        }).collect_view().into_any(),
                    }}
                </div>
            </Show>
            <ErrorAlert error=error testid="panel-tags-error"/>
        </section>
    }
}
