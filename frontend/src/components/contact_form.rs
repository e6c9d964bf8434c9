//! Create or edit a contact: name, number (any common spelling; the server normalises it), e-mail,
//! and extra fields.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::contacts::{Contact, NewContact, UpdateContact};
use shared::validate::{Email, Name};

use super::extra_fields::{ExtraFields, ExtraFieldsEditor};
use super::form::{FormActions, FormState, Msg, TextInput, check};
use super::modal::Modal;
use crate::api::contacts::CONTACTS;
use crate::i18n::{Key, use_i18n};

/// A phone number has 8 to 15 digits, whatever the spelling around them.
pub fn plausible_number(raw: &str) -> bool {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    let allowed = raw.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    allowed && (8..=15).contains(&digits)
}

#[component]
pub fn ContactForm(
    /// `None` to create a contact.
    contact: Option<Contact>,
    /// Called with the saved contact and whether it was created.
    #[prop(into)]
    on_saved: Callback<(Contact, bool)>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let creating = contact.is_none();
    let name = RwSignal::new(contact.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let number = RwSignal::new(contact.as_ref().map(|c| c.number.clone()).unwrap_or_default());
    let email = RwSignal::new(contact.as_ref().and_then(|c| c.email.clone()).unwrap_or_default());
    let extra = ExtraFields::new(contact.as_ref().map(|c| &c.extra));
    let original = StoredValue::new(contact);
    let form = FormState::new();

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let mut errors = BTreeMap::new();
        let valid_name = check(&mut errors, "name", Name::parse(&name.get_untracked()));
        let raw_number = number.get_untracked().trim().to_owned();
        if raw_number.is_empty() {
            errors.insert("number".into(), Msg::Key(Key::Required));
        } else if !plausible_number(&raw_number) {
            errors.insert("number".into(), Msg::Key(Key::MustBePhone));
        }
        let raw_email = email.get_untracked().trim().to_owned();
        let valid_email = if raw_email.is_empty() {
            None
        } else {
            check(&mut errors, "email", Email::parse(&raw_email)).map(|e| e.into_inner())
        };
        let extra_json = extra.to_json();
        check(&mut errors, "extra", shared::contacts::check_extra(&extra_json));
        if form.refuse(errors) {
            return;
        }
        let Some(valid_name) = valid_name else { return };
        if !form.begin() {
            return;
        }
        let before = original.get_value();
        let call = async move {
            match before {
                None => {
                    let new = NewContact {
                        name: valid_name.into_inner(),
                        number: raw_number,
                        email: valid_email,
                        extra: Some(extra_json),
                    };
                    CONTACTS.create(&new).await.map(|c| (c, true))
                }
                Some(before) => {
                    let new_name = valid_name.into_inner();
                    let changes = UpdateContact {
                        name: (new_name != before.name).then_some(new_name),
                        number: (raw_number != before.number).then_some(raw_number),
                        email: (valid_email.as_deref().unwrap_or("") != before.email.as_deref().unwrap_or(""))
                            .then(|| valid_email.unwrap_or_default()),
                        extra: (extra_json != before.extra).then_some(extra_json),
                    };
                    CONTACTS.update(before.id, &changes).await.map(|c| (c, false))
                }
            }
        };
        form.save(call, move |saved| on_saved.run(saved));
    };

    view! {
        <Modal
            title=Signal::derive(move || i18n.t(if creating { Key::NewContact } else { Key::EditContact }).to_owned())
            on_close=on_close
            testid="contact-dialog"
        >
            <form class="form" novalidate on:submit=submit data-testid="contact-form">
                <TextInput label=Key::Name value=name error=form.error("name") testid="contact-name" autocomplete="name" required=true/>
                <div class="field-row">
                    <TextInput
                        label=Key::PhoneNumber
                        value=number
                        error=form.error("number")
                        testid="contact-number"
                        kind="tel"
                        autocomplete="tel"
                        hint=Key::PhoneHint
                        required=true
                    />
                    <TextInput label=Key::Email value=email error=form.error("email") testid="contact-email" kind="email" autocomplete="email"/>
                </div>
                <ExtraFieldsEditor fields=extra error=form.error("extra")/>
                <FormActions form=form on_cancel=on_close banner_testid="contact-error" save_testid="contact-save"/>
            </form>
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::plausible_number;

    #[test]
    fn numbers_need_8_to_15_digits() {
        assert!(plausible_number("+55 (11) 98888-7777"));
        assert!(plausible_number("11988887777"));
        assert!(!plausible_number("1234"));
        assert!(!plausible_number("abc 11988887777"));
    }
}
