//! Every piece of UI text, in Brazilian Portuguese (the default) and English.
//!
//! One table below holds each key with both translations, so a key cannot exist in one language
//! only. Components read the current locale from the [`I18n`] context; reading it inside a closure
//! (see [`t!`](crate::t)) makes the text change when the language does.

use leptos::prelude::*;

use crate::state::storage;

const STORAGE_KEY: &str = "atende.locale";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    Pt,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Pt, Locale::En];

    /// The BCP 47 tag, for `<html lang>` and storage.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Pt => "pt-BR",
            Locale::En => "en",
        }
    }

    /// Short label for the language switch.
    pub fn short(self) -> &'static str {
        match self {
            Locale::Pt => "PT",
            Locale::En => "EN",
        }
    }

    /// The language's own name, for screen readers.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Pt => "Português",
            Locale::En => "English",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Self> {
        match tag {
            "pt-BR" | "pt" => Some(Locale::Pt),
            "en" => Some(Locale::En),
            _ => None,
        }
    }
}

macro_rules! messages {
    ($($key:ident => $pt:literal, $en:literal;)*) => {
        /// A piece of UI text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key { $($key),* }

        impl Key {
            pub fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $((Key::$key, Locale::Pt) => $pt, (Key::$key, Locale::En) => $en,)*
                }
            }
        }
    };
}

messages! {
    AppName => "Atende", "Atende";
    Tagline => "Atendimento multiagente pelo WhatsApp", "Multi-agent WhatsApp customer service";
    Loading => "Carregando…", "Loading…";
    Language => "Idioma", "Language";
    // login
    SignInTitle => "Entrar na sua conta", "Sign in to your account";
    Email => "E-mail", "E-mail";
    Password => "Senha", "Password";
    SignIn => "Entrar", "Sign in";
    SigningIn => "Entrando…", "Signing in…";
    InvalidCredentials => "E-mail ou senha incorretos.", "Wrong e-mail or password.";
    SessionExpired => "Sua sessão terminou. Entre novamente.", "Your session ended. Please sign in again.";
    // frame and menu
    MainNav => "Navegação principal", "Main navigation";
    UserMenu => "Menu do usuário", "User menu";
    Home => "Início", "Home";
    Users => "Usuários", "Users";
    Queues => "Filas", "Queues";
    Administration => "Administração", "Administration";
    Profile => "Perfil", "Profile";
    Logout => "Sair", "Log out";
    // dashboard
    Dashboard => "Painel", "Dashboard";
    TicketsToday => "Atendimentos de hoje", "Today's tickets";
    StatusOpen => "Em andamento", "In progress";
    StatusPending => "Não iniciados", "Not started";
    StatusClosed => "Finalizados", "Finished";
    Times => "Tempos (média de hoje)", "Times (today's average)";
    WaitingTime => "Tempo de espera", "Waiting time";
    HandlingTime => "Tempo de atendimento", "Handling time";
    ClosedToday => "Finalizados hoje", "Finished today";
    CreatedToday => "Criados hoje", "Created today";
    ByQueue => "Por fila", "By queue";
    ByAgent => "Por atendente", "By agent";
    NoQueue => "Sem fila", "No queue";
    GoToTickets => "Ir para os atendimentos", "Go to tickets";
    // profile
    EditProfile => "Editar perfil", "Edit profile";
    Name => "Nome", "Name";
    NewPassword => "Nova senha", "New password";
    NewPasswordHint => "Deixe em branco para manter a senha atual.", "Leave blank to keep your current password.";
    CurrentPassword => "Senha atual", "Current password";
    CurrentPasswordHint => "Necessária para alterar o e-mail ou a senha.", "Needed to change your e-mail or password.";
    CurrentPasswordRequired => "Informe a senha atual para alterar e-mail ou senha.",
        "Enter your current password to change e-mail or password.";
    WrongCurrentPassword => "Senha atual incorreta.", "Current password is wrong.";
    Signature => "Assinatura nas mensagens", "Signature on messages";
    SignatureHint => "Seu nome aparece antes de cada mensagem que você envia.",
        "Your name goes before each message you send.";
    ProfileSaved => "Perfil atualizado.", "Profile updated.";
    // common actions
    Save => "Salvar", "Save";
    Saving => "Salvando…", "Saving…";
    Cancel => "Cancelar", "Cancel";
    Close => "Fechar", "Close";
    Edit => "Editar", "Edit";
    Delete => "Excluir", "Delete";
    Deleting => "Excluindo…", "Deleting…";
    Actions => "Ações", "Actions";
    LoadMore => "Carregar mais", "Load more";
    Retry => "Tentar novamente", "Try again";
    ConfirmDeleteTitle => "Confirmar exclusão", "Confirm deletion";
    CannotUndo => "Esta ação não pode ser desfeita.", "This cannot be undone.";
    // users
    NewUser => "Novo usuário", "New user";
    EditUser => "Editar usuário", "Edit user";
    NoUsers => "Nenhum usuário cadastrado.", "No users yet.";
    Role => "Função", "Role";
    RoleAdmin => "Administrador", "Administrator";
    RoleSupervisor => "Supervisor", "Supervisor";
    RoleAgent => "Atendente", "Agent";
    UserQueues => "Filas do usuário", "User's queues";
    NoQueuesToPick => "Nenhuma fila cadastrada ainda.", "No queues yet.";
    PasswordKeepHint => "Deixe em branco para não alterar.", "Leave blank to keep it.";
    You => "você", "you";
    UserCreated => "Usuário criado.", "User created.";
    UserUpdated => "Usuário atualizado.", "User updated.";
    UserDeleted => "Usuário excluído.", "User deleted.";
    // queues
    NewQueue => "Nova fila", "New queue";
    EditQueue => "Editar fila", "Edit queue";
    NoQueues => "Nenhuma fila cadastrada.", "No queues yet.";
    Color => "Cor", "Colour";
    QueueCreated => "Fila criada.", "Queue created.";
    QueueUpdated => "Fila atualizada.", "Queue updated.";
    QueueDeleted => "Fila excluída.", "Queue deleted.";
    // access and errors
    AdminOnly => "Esta página é só para administradores.", "This page is for administrators only.";
    PageNotFound => "Página não encontrada.", "Page not found.";
    BackHome => "Voltar ao início", "Back to home";
    NetworkError => "Não foi possível falar com o servidor. Verifique a conexão.",
        "Could not reach the server. Check your connection.";
    UnexpectedError => "Algo deu errado. Tente novamente.", "Something went wrong. Please try again.";
    Forbidden => "Você não tem permissão para isso.", "You are not allowed to do that.";
    NotFound => "Não encontrado: talvez já tenha sido excluído.", "Not found: it may have been deleted already.";
    TooManyRequests => "Muitas tentativas. Aguarde um pouco e tente novamente.", "Too many attempts. Wait a little and try again.";
    CheckFields => "Verifique os campos destacados.", "Check the highlighted fields.";
    // validation (the same rules as shared::validate)
    Required => "Obrigatório.", "Required.";
    MustBeEmail => "Informe um e-mail como nome@exemplo.com.", "Must be an e-mail address like name@example.com.";
    EmailTooLong => "Use no máximo 254 caracteres.", "Must be at most 254 characters.";
    NameTooLong => "Use no máximo 120 caracteres.", "Must be at most 120 characters.";
    NoControlChars => "Não use caracteres de controle.", "Must not contain control characters.";
    PasswordTooShort => "Use pelo menos 8 caracteres.", "Must have at least 8 characters.";
    PasswordTooLong => "Use no máximo 128 caracteres.", "Must be at most 128 characters.";
    MustBeColor => "Informe uma cor como #1e88e5.", "Must be a colour like #1e88e5.";
    MustBePhone => "Informe um número com DDD, como 11 98888-7777.", "Enter a number with its area code, like 11 98888-7777.";
    // ticket list (Screen 1)
    Tickets => "Atendimentos", "Tickets";
    TabOpenTitle => "Atendimentos em andamento", "Tickets in progress";
    TabPendingTitle => "Atendimentos não iniciados", "Tickets not started";
    TabClosedTitle => "Atendimentos finalizados", "Finished tickets";
    ConversationKind => "Tipo de conversa", "Kind of conversation";
    PrivateConversations => "Conversas Privadas", "Private conversations";
    GroupConversations => "Conversas de Grupos", "Group conversations";
    Search => "Pesquisa", "Search";
    SearchPlaceholder => "Pesquisar nome, número, ticket ou mensagem", "Search name, number, ticket or message";
    AdvancedFilters => "Filtros Avançados", "Advanced filters";
    Contacts => "Contatos", "Contacts";
    LoadMoreTickets => "Carregar mais Conversas", "Load more conversations";
    NoOpenTickets => "Nenhum atendimento em andamento.", "No tickets in progress.";
    NoPendingTickets => "Ninguém esperando. Novos atendimentos aparecem aqui.", "Nobody waiting. New tickets show up here.";
    NoClosedTickets => "Nenhum atendimento finalizado.", "No finished tickets.";
    NoTicketsMatch => "Nenhum atendimento encontrado com esta pesquisa ou filtros.", "No tickets match this search or these filters.";
    YouPrefix => "Você: ", "You: ";
    Queue => "Fila", "Queue";
    Agent => "Atendente", "Agent";
    User => "Usuário", "User";
    Connection => "Conexão", "Connection";
    Tag => "Etiqueta", "Tag";
    All => "Todos", "All";
    DateFrom => "De", "From";
    DateTo => "Até", "To";
    UnreadOnly => "Somente não lidas", "Unread only";
    MyWallet => "Minha carteira", "My wallet";
    ComingSoon => "Disponível em breve", "Coming soon";
    ClearFilters => "Limpar filtros", "Clear filters";
    Offline => "Sem conexão em tempo real. Reconectando…", "Live updates are offline. Reconnecting…";
    SelectTicket => "Selecione um atendimento na lista para ver a conversa.", "Pick a ticket from the list to see the conversation.";
    BackToList => "Voltar à lista", "Back to the list";
    Back => "Voltar", "Back";
    Yesterday => "Ontem", "Yesterday";
    Today => "Hoje", "Today";
    // conversation (Screen 2)
    Accept => "Aceitar", "Accept";
    Reopen => "Reabrir", "Reopen";
    ReturnToQueue => "Retornar para a fila", "Return to queue";
    Resolve => "Resolver", "Resolve";
    Transfer => "Transferir", "Transfer";
    TransferTicket => "Transferir atendimento", "Transfer ticket";
    TransferHint => "Para um usuário, o atendimento passa a ser dele. Só para uma fila, ele aguarda nessa fila.",
        "To a user, the ticket becomes theirs. To a queue only, it waits in that queue.";
    KeepQueue => "Manter a fila atual", "Keep the current queue";
    AnyoneInQueue => "Qualquer atendente da fila", "Anyone in the queue";
    ConfirmResolve => "Finalizar este atendimento? Ele irá para Finalizados.", "Finish this ticket? It moves to Finished.";
    ConfirmReturn => "Devolver este atendimento para o fim da fila? Outro atendente poderá continuá-lo.",
        "Return this ticket to the end of its queue? Another agent can continue it.";
    TicketAccepted => "Atendimento aceito.", "Ticket accepted.";
    TicketReopened => "Atendimento reaberto.", "Ticket reopened.";
    TicketResolved => "Atendimento resolvido.", "Ticket resolved.";
    TicketReturned => "Atendimento devolvido para a fila.", "Ticket returned to the queue.";
    TicketTransferred => "Atendimento transferido.", "Ticket transferred.";
    NotAssigned => "Sem atendente", "Not assigned";
    WaitingNoQueue => "Aguardando, sem fila", "Waiting, no queue";
    TicketInfo => "Dados do atendimento", "Ticket details";
    Logs => "Logs", "Logs";
    LogAccess => "Acessou", "Opened it";
    LogCreated => "Criado", "Created";
    LogAccepted => "Aceitou", "Accepted";
    LogTransferred => "Transferiu", "Transferred";
    LogReturned => "Retornou para a fila", "Returned to the queue";
    LogResolved => "Resolveu", "Resolved";
    LogReopened => "Reabriu", "Reopened";
    InvalidTransition => "Este atendimento mudou de situação. Veja o estado atual.", "This ticket changed meanwhile. See its current state.";
    TicketNotOpen => "Só é possível enviar mensagens em atendimentos em andamento.", "Messages can only be sent on tickets in progress.";
    TicketAlreadyActive => "Este contato já tem um atendimento aberto ou pendente.", "This contact already has an open or pending ticket.";
    // messages
    Messages => "Mensagens", "Messages";
    ConversationStart => "Início da conversa", "Start of the conversation";
    NoMessagesYet => "Nenhuma mensagem ainda.", "No messages yet.";
    StatusSending => "Enviando", "Sending";
    StatusSent => "Enviada", "Sent";
    StatusDelivered => "Entregue", "Delivered";
    StatusRead => "Lida", "Read";
    StatusFailed => "Falhou", "Failed";
    Image => "Imagem", "Image";
    Sticker => "Figurinha", "Sticker";
    Video => "Vídeo", "Video";
    Audio => "Áudio", "Audio";
    Document => "Documento", "Document";
    Location => "Localização", "Location";
    ReactedWith => "Reagiu com", "Reacted with";
    MediaUnavailable => "Mídia indisponível.", "Media unavailable.";
    QuotedUnavailable => "mensagem anterior", "an earlier message";
    Contact => "Contato", "Contact";
    QuoteYou => "Você", "You";
    Reply => "Responder", "Reply";
    ReplyingTo => "Respondendo:", "Replying to:";
    // composer
    TypeMessage => "Digite uma mensagem", "Type a message";
    Send => "Enviar", "Send";
    AttachFile => "Enviar arquivo", "Send a file";
    Emoji => "Emoji", "Emoji";
    Uploading => "Enviando arquivo", "Uploading file";
    UploadCancelled => "Envio cancelado.", "Upload cancelled.";
    FileTooLarge => "Arquivo grande demais para enviar.", "The file is too large to send.";
    FileTypeNotAllowed => "Este tipo de arquivo não pode ser enviado.", "This kind of file cannot be sent.";
    ContactWillSee => "O contato verá antes da mensagem:", "The contact will see before the message:";
    AcceptToReply => "Aceite o atendimento para responder.", "Accept the ticket to reply.";
    ReopenToReply => "Atendimento finalizado. Reabra para responder.", "This ticket is finished. Reopen it to reply.";
    // contacts
    ContactsHint => "Pesquise, cadastre e inicie conversas.", "Search, add and start conversations.";
    NewContact => "Novo contato", "New contact";
    EditContact => "Editar contato", "Edit contact";
    PhoneNumber => "Número", "Number";
    PhoneHint => "Com DDD; o código do país é opcional.", "With the area code; the country code is optional.";
    SearchContacts => "Pesquisar contatos", "Search contacts";
    NoContacts => "Nenhum contato cadastrado.", "No contacts yet.";
    NoContactsMatch => "Nenhum contato encontrado.", "No contacts found.";
    StartConversation => "Iniciar conversa", "Start conversation";
    Block => "Bloquear", "Block";
    Unblock => "Desbloquear", "Unblock";
    Blocked => "Bloqueado", "Blocked";
    Group => "Grupo", "Group";
    ContactCreated => "Contato criado.", "Contact created.";
    ContactUpdated => "Contato atualizado.", "Contact updated.";
    ContactDeleted => "Contato excluído.", "Contact deleted.";
    ContactBlocked => "Contato bloqueado.", "Contact blocked.";
    ContactUnblocked => "Contato desbloqueado.", "Contact unblocked.";
}

pub fn role_key(role: shared::auth::Role) -> Key {
    match role {
        shared::auth::Role::Admin => Key::RoleAdmin,
        shared::auth::Role::Supervisor => Key::RoleSupervisor,
        shared::auth::Role::Agent => Key::RoleAgent,
    }
}

/// Text with values in it.
pub fn greeting(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Pt => format!("Olá, {name}!"),
        Locale::En => format!("Hello, {name}!"),
    }
}

pub fn retry_in(locale: Locale, seconds: u64) -> String {
    match locale {
        Locale::Pt => format!("Muitas tentativas. Tente novamente em {seconds} s."),
        Locale::En => format!("Too many attempts. Try again in {seconds} s."),
    }
}

pub fn confirm_delete_user(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Pt => format!("Excluir o usuário “{name}”?"),
        Locale::En => format!("Delete the user “{name}”?"),
    }
}

pub fn confirm_delete_contact(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Pt => format!("Excluir o contato “{name}”?"),
        Locale::En => format!("Delete the contact “{name}”?"),
    }
}

pub fn unread(locale: Locale, count: i32) -> String {
    match (locale, count) {
        (Locale::Pt, 1) => "1 mensagem não lida".to_owned(),
        (Locale::Pt, n) => format!("{n} mensagens não lidas"),
        (Locale::En, 1) => "1 unread message".to_owned(),
        (Locale::En, n) => format!("{n} unread messages"),
    }
}

pub fn new_messages(locale: Locale, count: u32) -> String {
    match (locale, count) {
        (Locale::Pt, 1) => "1 nova mensagem".to_owned(),
        (Locale::Pt, n) => format!("{n} novas mensagens"),
        (Locale::En, 1) => "1 new message".to_owned(),
        (Locale::En, n) => format!("{n} new messages"),
    }
}

pub fn assigned_to(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Pt => format!("Atribuído a {name}"),
        Locale::En => format!("Assigned to {name}"),
    }
}

pub fn waiting_in(locale: Locale, queue: &str) -> String {
    match locale {
        Locale::Pt => format!("Aguardando na fila {queue}"),
        Locale::En => format!("Waiting in the {queue} queue"),
    }
}

pub fn confirm_delete_queue(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Pt => format!("Excluir a fila “{name}”?"),
        Locale::En => format!("Delete the queue “{name}”?"),
    }
}

/// Translates a validation message from `shared::validate` (also what the server sends in
/// `details`); an unknown message is shown as it came.
pub fn validation_text(locale: Locale, message: &str) -> String {
    let key = match message.trim_end_matches('.') {
        "must be an e-mail address like name@example.com" => Some(Key::MustBeEmail),
        "must be at most 254 characters" => Some(Key::EmailTooLong),
        "must not be empty" => Some(Key::Required),
        "must be at most 120 characters" => Some(Key::NameTooLong),
        "must not contain control characters" => Some(Key::NoControlChars),
        "must have at least 8 characters" => Some(Key::PasswordTooShort),
        "must be at most 128 characters" => Some(Key::PasswordTooLong),
        "must be a colour like #1e88e5" => Some(Key::MustBeColor),
        _ => None,
    };
    match key {
        Some(key) => key.text(locale).to_owned(),
        None => message.to_owned(),
    }
}

/// The language in use, shared through context.
#[derive(Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// The saved choice, else Portuguese.
    pub fn load() -> Self {
        let locale = storage::get(STORAGE_KEY).and_then(|tag| Locale::from_tag(&tag)).unwrap_or(Locale::Pt);
        set_document_lang(locale);
        Self { locale: RwSignal::new(locale) }
    }

    /// The current locale (tracked: call inside a closure to react to changes).
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    pub fn locale_untracked(&self) -> Locale {
        self.locale.get_untracked()
    }

    pub fn t(&self, key: Key) -> &'static str {
        key.text(self.locale())
    }

    pub fn set(&self, locale: Locale) {
        storage::set(STORAGE_KEY, locale.tag());
        set_document_lang(locale);
        self.locale.set(locale);
    }
}

fn set_document_lang(locale: Locale) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", locale.tag());
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// `t!(i18n, Key)` is a closure that yields the key's text in the current language, for views.
#[macro_export]
macro_rules! t {
    ($i18n:expr, $key:ident) => {{
        let i18n = $i18n;
        move || i18n.t($crate::i18n::Key::$key)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::validate::{Email, HexColor, Name, Password};

    #[test]
    fn every_shared_validation_message_is_translated() {
        let messages = [
            Email::parse("x").err(),
            Email::parse(&format!("{}@example.com", "a".repeat(250))).err(),
            Name::parse(" ").err(),
            Name::parse(&"x".repeat(121)).err(),
            Name::parse("a\u{1}").err(),
            Password::parse("short").err(),
            Password::parse(&"x".repeat(129)).err(),
            HexColor::parse("red").err(),
        ];
        for invalid in messages.into_iter().flatten() {
            let pt = validation_text(Locale::Pt, invalid.0);
            assert_ne!(pt, invalid.0, "no Portuguese text for {:?}", invalid.0);
        }
    }
}
