//! Every piece of UI text, in Brazilian Portuguese (the default) and English.
//!
//! One table below holds each key with both translations, so a key cannot exist in one language
//! only. Components read the current locale from the [`I18n`] context; reading it inside a closure
//! (see [`t!`](crate::t)) makes the text change when the language does.

use leptos::prelude::*;

use shared::tickets::{SystemNote, SystemNoteKind};
use shared::validate::Invalid;

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
    NoControlChars => "Não use caracteres de controle.", "Must not contain control characters.";
    MustBeColor => "Informe uma cor como #1e88e5.", "Must be a colour like #1e88e5.";
    PasswordTooShort => "Use pelo menos 8 caracteres.", "Must have at least 8 characters.";
    MustBePhone => "Informe um número com DDD, como 11 98888-7777.", "Enter a number with its area code, like 11 98888-7777.";
    GroupNotPhone => "Informe um número de telefone, não um grupo, lista ou canal.", "Enter a phone number, not a group, list or channel.";
    AlreadyInUse => "Já está em uso.", "Already in use.";
    NotInCompany => "Escolha um item da sua empresa.", "Choose one of your company's.";
    NotInTicket => "Escolha uma mensagem deste atendimento.", "Choose a message of this ticket.";
    NotAnObject => "Informe os campos extras como pares nome e valor.", "Give the extra fields as name and value pairs.";
    NotBase64 => "O arquivo não pôde ser lido.", "The file could not be read.";
    NotUrl => "Informe um endereço http(s).", "Enter an http(s) address.";
    NotPublicUrl => "Informe um endereço https público.", "Enter a public https address.";
    WrongPassword => "Senha incorreta.", "Wrong password.";
    RequiredForCloudApi => "Obrigatório para conexões da API oficial.", "Required for official API connections.";
    NoConnection => "A empresa ainda não tem conexão. Crie uma em Conexões.", "The company has no connection yet. Create one in Connections.";
    QueueOrUser => "Escolha uma fila, um atendente ou ambos.", "Choose a queue, an agent or both.";
    EmptyFile => "O arquivo está vazio.", "The file is empty.";
    FileRequired => "Escolha um arquivo.", "Choose a file.";
    NotAudio => "O arquivo não é um áudio.", "The file is not audio.";
    StickerNotWebp => "Figurinhas precisam ser imagens WebP.", "Stickers must be WebP images.";
    NotASticker => "Esta mensagem não é uma figurinha com arquivo.", "This message is not a sticker with its file.";
    StickerNoText => "Uma figurinha é enviada sem texto.", "A sticker is sent without text.";
    UnknownFileKind => "Envie como áudio, figurinha ou arquivo.", "Send it as audio, sticker or file.";
    MalformedInput => "Os dados enviados não estão no formato esperado.", "The data sent is not in the expected form.";
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
    AttachFile => "Anexar arquivos", "Attach files";
    Emoji => "Emoji", "Emoji";
    Uploading => "Enviando arquivo", "Uploading file";
    UploadCancelled => "Envio cancelado.", "Upload cancelled.";
    FileTooLarge => "Arquivo grande demais para enviar.", "The file is too large to send.";
    FileTypeNotAllowed => "Este tipo de arquivo não pode ser enviado.", "This kind of file cannot be sent.";
    FilesToSend => "Arquivos para enviar", "Files to send";
    Caption => "Legenda", "Caption";
    AddCaption => "Adicione uma legenda", "Add a caption";
    RemoveFile => "Remover arquivo", "Remove file";
    FileOverLimit => "Arquivo acima do limite de", "The file is over the limit of";
    StopSending => "Parar envio", "Stop sending";
    DropFilesHere => "Solte os arquivos para anexar", "Drop the files to attach them";
    ContactWillSee => "O contato verá antes da mensagem:", "The contact will see before the message:";
    AcceptToReply => "Aceite o atendimento para responder.", "Accept the ticket to reply.";
    ReopenToReply => "Atendimento finalizado. Reabra para responder.", "This ticket is finished. Reopen it to reply.";
    // voice notes
    RecordVoice => "Gravar áudio", "Record a voice message";
    Recording => "Gravando", "Recording";
    MicrophoneLevel => "Volume do microfone", "Microphone level";
    StopRecording => "Parar e ouvir", "Stop and listen";
    DiscardRecording => "Descartar áudio", "Discard the recording";
    SendVoice => "Enviar áudio", "Send the voice message";
    SendingVoice => "Enviando áudio…", "Sending the voice message…";
    VoiceNoteName => "Mensagem de voz", "Voice message";
    MicrophoneDenied => "O navegador não liberou o microfone. Permita o acesso ao microfone para este site e tente de novo.", "The browser did not allow the microphone. Allow this site to use it and try again.";
    NoMicrophone => "Nenhum microfone encontrado.", "No microphone was found.";
    MicrophoneBusy => "O microfone está em uso por outro programa.", "The microphone is in use by another program.";
    RecordingUnsupported => "Este navegador não grava áudio.", "This browser cannot record audio.";
    RecordingFailed => "A gravação falhou. Tente de novo.", "The recording failed. Try again.";
    Play => "Reproduzir", "Play";
    Pause => "Pausar", "Pause";
    PlaybackPosition => "Posição do áudio", "Playback position";
    // contacts
    ContactsHint => "Pesquise, cadastre e inicie conversas.", "Search, add and start conversations.";
    NewContact => "Novo contato", "New contact";
    EditContact => "Editar contato", "Edit contact";
    ExtraFields => "Campos extras", "Extra fields";
    FieldName => "Nome do campo", "Field name";
    FieldValue => "Valor", "Value";
    AddField => "Adicionar campo", "Add a field";
    RemoveField => "Remover campo", "Remove the field";
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
    NotASimulator => "Só conexões do simulador recebem mensagens simuladas.", "Only simulator connections take simulated messages.";
    CannotDemoteSelf => "Você não pode remover seu próprio papel de administrador.", "You cannot remove your own administrator role.";
    CannotDeleteSelf => "Você não pode excluir o seu próprio usuário.", "You cannot delete your own user.";
    QueueInUse => "A fila tem atendimentos abertos ou aguardando: transfira ou resolva-os antes.", "The queue has open or waiting tickets: transfer or resolve them first.";
    ConnectionInUse => "A conexão tem atendimentos: exclua-os junto com ela ou mantenha a conexão.", "The connection has tickets: delete them with it or keep the connection.";
    ServerUnavailable => "O servidor está indisponível no momento. Tente novamente em instantes.", "The server is unavailable right now. Try again shortly.";
    ContactUnblocked => "Contato desbloqueado.", "Contact unblocked.";
    // settings (Configurações)
    Settings => "Configurações", "Settings";
    SettingsSubtitle => "Como a sua empresa atende: fuso horário, arquivos, assinatura, chamadas de vídeo e avaliações.", "How your company works: time zone, files, signature, video calls and ratings.";
    SettingsGeneral => "Geral", "General";
    SettingsSaved => "Configurações salvas.", "Settings saved.";
    TimeZone => "Fuso horário", "Time zone";
    NowThere => "Agora nesse fuso:", "Now in this time zone:";
    TimeZoneHint => "Agendamentos e saudações usam este fuso.", "Schedules and greetings use this time zone.";
    SignatureDefault => "Assinatura ligada para novos usuários", "Signature on for new users";
    VideoCallBaseUrl => "Servidor de chamadas de vídeo", "Video-call server";
    VideoCallBaseUrlHint => "Um servidor no estilo Jitsi: cada link é uma sala nova.", "A Jitsi-style server: every link is a new room.";
    MaxUploadMb => "Tamanho máximo de arquivo (MB)", "Largest file (MB)";
    Ratings => "Avaliações", "Ratings";
    RatingsEnabled => "Pedir avaliação do atendimento", "Ask customers to rate the service";
    RatingsOnResolve => "Pedir automaticamente ao finalizar", "Ask automatically on resolve";
    RatingsQuestion => "Pergunta", "Question";
    RatingsScale => "Escala (nota máxima)", "Scale (highest score)";
    RatingsWindow => "Prazo para responder (minutos)", "Time to answer (minutes)";
    UnknownTimeZone => "Escolha um fuso horário da lista, como America/Sao_Paulo.", "Choose a time zone from the list, like America/Sao_Paulo.";
    NotResendable => "Só mensagens que falharam, ou de destino incerto, podem ser reenviadas.", "Only failed messages, or ones of unknown fate, can be sent again.";
    Resend => "Reenviar", "Send again";
    StatusUnknown => "Talvez não entregue: o WhatsApp não respondeu. Confira com o cliente antes de reenviar.", "Maybe not delivered: WhatsApp did not answer. Check with the customer before sending again.";
    ScheduleNotPending => "Esta mensagem já foi enviada, cancelada ou falhou: não pode mais ser alterada.", "This message was already sent, canceled or failed: it can no longer be changed.";
    NotInFuture => "Escolha uma data e hora no futuro.", "Choose a date and time in the future.";
    // scheduled messages (Agendamentos)
    Schedules => "Agendamentos", "Scheduled messages";
    SchedulesSubtitle => "Mensagens que sairão na hora marcada, no fuso horário da empresa.", "Messages that go out at their time, in the company's time zone.";
    ScheduledMessages => "Mensagens agendadas", "Scheduled messages";
    ScheduleMessage => "Agendar mensagem", "Schedule a message";
    EditSchedule => "Alterar mensagem agendada", "Change a scheduled message";
    Schedule => "Agendar", "Schedule";
    Scheduled => "Mensagem agendada.", "Message scheduled.";
    Date => "Data", "Date";
    Time => "Hora", "Time";
    Message => "Mensagem", "Message";
    AttachFileOrAudio => "Arquivo ou áudio", "File or audio";
    ChooseDateTime => "Escolha a data e a hora.", "Choose the date and the time.";
    NoSchedules => "Nenhuma mensagem agendada.", "No scheduled messages.";
    ScheduleScheduled => "Agendada", "Scheduled";
    ScheduleSent => "Enviada", "Sent";
    ScheduleFailed => "Falhou", "Failed";
    ScheduleCanceled => "Cancelada", "Canceled";
    ScheduleLate => "Enviada com atraso", "Sent late";
    CancelSchedule => "Cancelar envio", "Cancel sending";
    AllStatuses => "Todos os status", "All statuses";
    ScheduleStatusLabel => "Situação", "Status";
    AttachVoice => "Anexar áudio", "Attach the recording";
    FilterByContact => "Ver só os deste contato", "Show only this contact's";
    ClearFilter => "Limpar filtro", "Clear filter";
    AllAgents => "Todos os atendentes", "All agents";
    GoodMorning => "Bom dia", "Good morning";
    GoodAfternoon => "Boa tarde", "Good afternoon";
    GoodEvening => "Boa noite", "Good evening";
    // stickers (figurinhas)
    Stickers => "Figurinhas", "Stickers";
    NewSticker => "Nova figurinha", "New sticker";
    EditSticker => "Renomear figurinha", "Rename sticker";
    NoStickers => "Nenhuma figurinha na biblioteca.", "No stickers in the library.";
    StickerFile => "Arquivo WebP", "WebP file";
    StickerRules => "WebP de 512×512 pixels, até 100 KB (500 KB se animada).",
        "A 512×512 pixel WebP, up to 100 KB (500 KB if animated).";
    StickerNameHint => "Opcional: sem nome, usa o nome do arquivo.", "Optional: without one, the file's name is used.";
    Animated => "Animada", "Animated";
    Size => "Tamanho", "Size";
    StickerCreated => "Figurinha adicionada.", "Sticker added.";
    StickerUpdated => "Figurinha renomeada.", "Sticker renamed.";
    StickerDeleted => "Figurinha excluída.", "Sticker deleted.";
    SendSticker => "Enviar figurinha", "Send a sticker";
    SaveSticker => "Salvar na biblioteca de figurinhas", "Save to the sticker library";
    StickerSaved => "Figurinha salva na biblioteca.", "Sticker saved to the library.";
    // quick replies (Mensagens rápidas) and the video-call link
    QuickReplies => "Mensagens rápidas", "Quick replies";
    QuickRepliesSubtitle => "Textos prontos que os atendentes inserem digitando / e o atalho na conversa.",
        "Saved texts agents insert by typing / and the shortcut in a conversation.";
    NewQuickReply => "Nova mensagem rápida", "New quick reply";
    EditQuickReply => "Editar mensagem rápida", "Edit quick reply";
    NoQuickReplies => "Nenhuma mensagem rápida cadastrada.", "No quick replies yet.";
    Shortcut => "Atalho", "Shortcut";
    ShortcutHint => "Sem espaços. Na conversa, digite / e o atalho.", "No spaces. In a conversation, type / and the shortcut.";
    QuickReplyText => "Texto", "Text";
    QuickReplyTextHint => "Variáveis: {{nome}}, {{primeiro_nome}}, {{protocolo}}, {{atendente}}, {{saudacao}} (bom dia, boa tarde ou boa noite).",
        "Variables: {{nome}} (name), {{primeiro_nome}} (first name), {{protocolo}} (protocol), {{atendente}} (agent), {{saudacao}} (greeting).";
    QuickReplyScope => "Quem vê", "Who sees it";
    AllQueues => "Todas as filas", "All queues";
    File => "Arquivo", "File";
    QuickReplyFileHint => "Opcional: vai junto com a mensagem.", "Optional: sent along with the message.";
    FileWillBeRemoved => "O arquivo será removido ao salvar.", "The file will be removed when you save.";
    NoFile => "Nenhum", "None";
    QuickReplyCreated => "Mensagem rápida criada.", "Quick reply created.";
    QuickReplyUpdated => "Mensagem rápida atualizada.", "Quick reply updated.";
    QuickReplyDeleted => "Mensagem rápida excluída.", "Quick reply deleted.";
    ContainsSpaces => "Não use espaços.", "Must not contain spaces.";
    NoQuickRepliesMatch => "Nenhuma mensagem rápida com este atalho.", "No quick reply with this shortcut.";
    QuickReplyFileAttached => "Vai junto:", "Sent along:";
    VideoCall => "Inserir link de chamada de vídeo", "Insert a video-call link";
    // wallet (Carteira) and protocols (Protocolo)
    Wallet => "Carteira", "Wallet";
    WalletPick => "Escolher o atendente da carteira", "Pick the wallet agent";
    WalletRemove => "Remover da carteira", "Remove from the wallet";
    WalletNone => "Sem carteira: os atendimentos vão para a fila.", "No wallet: tickets go to the queue.";
    WalletAll => "Todas as carteiras", "Every wallet";
    Protocol => "Protocolo", "Protocol";
    ProtocolGenerate => "Gerar protocolo", "Generate protocol";
    ProtocolSendToContact => "Enviar ao contato", "Send to the contact";
    ProtocolSendNeedsOpen => "Aceite o atendimento para enviar ao contato.", "Accept the ticket to send it to the contact.";
    ProtocolCopy => "Copiar o número", "Copy the number";
    ProtocolCopied => "Protocolo copiado.", "Protocol copied.";
    ProtocolsOfContact => "Outros protocolos do contato", "The contact's other protocols";
    ProtocolMessage => "Mensagem do protocolo", "Protocol message";
    ProtocolMessageHint => "Enviada ao contato quando o atendente envia o protocolo; {{protocol}} vira o número.",
        "Sent to the contact when an agent sends the protocol; {{protocol}} becomes the number.";
    // notes and tags (Nota, Etiqueta)
    Notes => "Notas", "Notes";
    InternalNote => "Nota interna", "Internal note";
    NewNote => "Nova nota", "New note";
    NotePlaceholder => "Escreva uma nota interna (o contato não vê)", "Write an internal note (the contact does not see it)";
    AddNote => "Salvar nota", "Save note";
    DeleteNote => "Excluir nota", "Delete note";
    NoNotes => "Nenhuma nota neste atendimento.", "No notes on this ticket.";
    Tags => "Etiquetas", "Tags";
    AddTag => "Adicionar etiqueta", "Add a tag";
    RemoveTag => "Remover etiqueta", "Remove the tag";
    NoTagsOnTicket => "Sem etiquetas.", "No tags.";
    NoTagsToAdd => "Nenhuma outra etiqueta cadastrada.", "No other tags to add.";
    NoTags => "Nenhuma etiqueta cadastrada.", "No tags yet.";
    NewTag => "Nova etiqueta", "New tag";
    EditTag => "Editar etiqueta", "Edit tag";
    Order => "Ordem", "Order";
    TagOrderHint => "Menor vem primeiro. Em branco: depois da última.", "Lower comes first. Blank: after the last one.";
    TagCreated => "Etiqueta criada.", "Tag created.";
    TagUpdated => "Etiqueta atualizada.", "Tag updated.";
    TagDeleted => "Etiqueta excluída.", "Tag deleted.";
    MustBeWholeNumber => "Informe um número inteiro.", "Enter a whole number.";
    // kanban
    Kanban => "Kanban", "Kanban";
    KanbanSubtitle => "Arraste os cartões entre as colunas. Pelo teclado: Espaço pega o cartão, as setas o movem, Enter solta, Esc cancela.",
        "Drag cards between lanes. With the keyboard: Space picks a card up, the arrows move it, Enter drops it, Esc cancels.";
    KanbanBoards => "Quadros kanban", "Kanban boards";
    KanbanBoardsSubtitle => "Quadros com colunas em que os atendimentos são colocados como cartões.",
        "Boards of lanes in which tickets are placed as cards.";
    Board => "Quadro", "Board";
    NewBoard => "Novo quadro", "New board";
    EditBoard => "Editar quadro", "Edit board";
    NoBoards => "Nenhum quadro cadastrado.", "No boards yet.";
    NoBoardsYet => "Nenhum quadro ainda: um administrador os cria em Administração › Quadros kanban.",
        "No boards yet: an administrator creates them in Administration › Kanban boards.";
    BoardCreated => "Quadro criado.", "Board created.";
    BoardUpdated => "Quadro atualizado.", "Board updated.";
    BoardDeleted => "Quadro excluído.", "Board deleted.";
    Lanes => "Colunas", "Lanes";
    Lane => "Coluna", "Lane";
    LaneName => "Nome da coluna", "Lane name";
    LaneColor => "Cor da coluna", "Lane colour";
    LanesHint => "A ordem da lista é a ordem no quadro. Remover uma coluna tira do quadro os atendimentos que estão nela.",
        "The list's order is the board's. Removing a lane takes its tickets off the board.";
    NoLanes => "Nenhuma coluna.", "No lanes.";
    AddLane => "Adicionar coluna", "Add a lane";
    MoveLaneLeft => "Mover coluna para a esquerda", "Move lane left";
    MoveLaneRight => "Mover coluna para a direita", "Move lane right";
    RemoveLane => "Remover coluna", "Remove lane";
    EmptyLane => "Nenhum cartão.", "No cards.";
    KanbanTruncated => "Mostrando os 500 atendimentos mais recentes deste quadro.", "Showing this board's 500 most recent tickets.";
    KanbanMoveFailed => "Não foi possível mover o cartão; ele voltou para a coluna de antes.",
        "The card could not be moved; it went back to its lane.";
    KanbanCardHelp => "Espaço ou Enter pega o cartão; setas para a esquerda e a direita o movem; Enter solta; Esc cancela.",
        "Space or Enter picks the card up; the left and right arrows move it; Enter drops it; Esc cancels.";
    KanbanNotOnBoard => "Fora do quadro", "Not on a board";
    KanbanChooseBoard => "Escolha um quadro", "Choose a board";
    KanbanChooseLane => "Escolha uma coluna", "Choose a lane";
    KanbanRemove => "Tirar do quadro", "Remove from the board";
    Unassigned => "Sem atendente", "Unassigned";
    // ratings (Avaliação): the panel's section and the dashboard's
    Rating => "Avaliação", "Rating";
    SendRating => "Enviar avaliação", "Send the survey";
    RatingsOff => "As avaliações estão desligadas em Configurações.", "Ratings are switched off in Settings.";
    RatingsDisabled => "As avaliações estão desligadas: um administrador pode ligá-las em Configurações.",
        "Ratings are switched off: an administrator can turn them on in Settings.";
    RatingNone => "Nenhuma avaliação pedida neste atendimento.", "No survey sent in this ticket.";
    RatingAwaitingUntil => "Aguardando a resposta do cliente até", "Waiting for the customer's answer until";
    RatingExpired => "O cliente não respondeu a tempo.", "The customer did not answer in time.";
    RatingAbandoned => "Sem nota: o cliente respondeu outra coisa.", "No score: the customer answered something else.";
    RatingsPeriod => "Período", "Period";
    PeriodToday => "Hoje", "Today";
    PeriodWeek => "Últimos 7 dias", "Last 7 days";
    PeriodMonth => "Últimos 30 dias", "Last 30 days";
    PeriodQuarter => "Últimos 90 dias", "Last 90 days";
    RatingsCount => "Avaliações recebidas", "Ratings received";
    RatingsAverage => "Nota média", "Average score";
    RatingsDistribution => "Distribuição das notas", "Scores";
    NoRatings => "Nenhuma avaliação no período.", "No ratings in this period.";
    SendRatingOnResolve => "Enviar a pesquisa de avaliação ao cliente", "Send the satisfaction survey to the customer";
    RatingSentOnResolve => "A pesquisa de avaliação será enviada ao cliente.", "The satisfaction survey will be sent to the customer.";
    // contacts import and export
    Import => "Importar", "Import";
    Export => "Exportar", "Export";
    ImportContacts => "Importar contatos", "Import contacts";
    ImportFile => "Arquivo CSV", "CSV file";
    ImportFileHint => "Como as planilhas salvam: separado por ; ou vírgula, em UTF-8 ou Latin-1, com uma linha de títulos. Até 50 MB.",
        "As spreadsheets save it: separated by ; or commas, in UTF-8 or Latin-1, with a header row. Up to 50 MB.";
    ImportFileTooLarge => "O arquivo pode ter no máximo 50 MB.", "The file may be at most 50 MB.";
    ImportPreviewTitle => "Primeiras linhas: escolha o que é cada coluna", "First rows: choose what each column is";
    ImportColumnName => "Nome", "Name";
    ImportColumnNumber => "Número", "Number";
    ImportColumnEmail => "E-mail", "E-mail";
    ImportColumnExtra => "Campo extra", "Extra field";
    ImportColumnIgnore => "Ignorar", "Ignore";
    ImportExistingLabel => "Contatos que já existem (mesmo número)", "Contacts that already exist (same number)";
    ImportExistingSkip => "Manter como estão", "Leave them as they are";
    ImportExistingUpdate => "Atualizar com os dados do arquivo", "Update them from the file";
    ImportStart => "Iniciar importação", "Start import";
    ImportRunning => "Importando…", "Importing…";
    ImportDone => "Importação concluída.", "Import finished.";
    ImportFailed => "A importação falhou.", "The import failed.";
    ImportInterrupted => "A importação foi interrompida (o servidor parou). Importe o arquivo de novo: o que já entrou não se repete.",
        "The import was interrupted (the server stopped). Import the file again: what is already in is not repeated.";
    ImportCreated => "Criados", "Created";
    ImportUpdated => "Atualizados", "Updated";
    ImportSkipped => "Ignorados", "Skipped";
    ImportRejected => "Rejeitados", "Rejected";
    ImportRow => "Linha", "Row";
    ImportField => "Coluna", "Column";
    ImportReason => "Motivo", "Reason";
    NotCsv => "Não é um arquivo CSV com uma linha de títulos.", "Not a CSV file with a header row.";
    BadMapping => "Escolha exatamente uma coluna de número, e no máximo uma de nome e uma de e-mail.",
        "Choose exactly one number column, and at most one name column and one e-mail column.";
    // inbound message kinds (what a message carries beside its text)
    UnsupportedMessage => "O cliente enviou um tipo de mensagem que o WhatsApp não entrega à API",
        "The customer sent a message type WhatsApp does not deliver to the API";
    OrderTitle => "Pedido", "Order";
    OrderTotal => "Total", "Total";
    SharedContactTitle => "Contato compartilhado", "Shared contact";
    ReferralFromAd => "Veio de um anúncio", "Came from an ad";
    ReferralFromPost => "Veio de uma publicação", "Came from a post";
    OpenLink => "Abrir link", "Open link";
    ButtonPayload => "Botão", "Button";
    ReplyOption => "Opção", "Option";
    // connections (Conexões)
    Connections => "Conexões", "Connections";
    ConnectionsSubtitle => "Os números de WhatsApp (ou o simulador) em que a empresa recebe mensagens",
        "The WhatsApp numbers (or the simulator) the company receives messages on";
    NewConnection => "Nova conexão", "New connection";
    EditConnection => "Editar conexão", "Edit connection";
    NoConnections => "Nenhuma conexão ainda. Crie uma para começar a receber mensagens.",
        "No connections yet. Create one to start receiving messages.";
    ConnectionCreated => "Conexão criada.", "Connection created.";
    ConnectionUpdated => "Conexão salva.", "Connection saved.";
    ConnectionDeleted => "Conexão excluída.", "Connection deleted.";
    ConnectionKindLabel => "Tipo", "Kind";
    ConnectionStatusLabel => "Situação", "Status";
    DefaultQueue => "Fila padrão", "Default queue";
    NoDefaultQueue => "Sem fila", "No queue";
    CreatedAtLabel => "Criada em", "Created";
    KindSimulator => "Simulador", "Simulator";
    KindCloudApi => "WhatsApp Cloud API (oficial)", "WhatsApp Cloud API (official)";
    KindWhatsappWeb => "WhatsApp Web (QR code)", "WhatsApp Web (QR code)";
    ConnConnected => "Conectada", "Connected";
    ConnPairing => "Pareando", "Pairing";
    ConnDisconnected => "Desconectada", "Disconnected";
    ConnError => "Erro", "Error";
    PhoneNumberId => "ID do número (phone_number_id)", "Phone number ID (phone_number_id)";
    AccessToken => "Token de acesso", "Access token";
    AppSecret => "Chave secreta do app (app secret)", "App secret";
    VerifyToken => "Token de verificação do webhook", "Webhook verify token";
    GraphBaseUrl => "URL da Graph API (opcional)", "Graph API URL (optional)";
    GraphBaseUrlHint => "Deixe em branco para usar a da Meta.", "Leave blank to use Meta's.";
    SecretKeepHint => "Guardado com criptografia e nunca exibido. Deixe em branco para manter; preencha para trocar.",
        "Stored encrypted and never shown. Leave blank to keep it; fill it in to replace it.";
    SecretSet => "definido", "set";
    SecretNotSet => "não definido", "not set";
    OpenConnection => "Abrir", "Open";
    BackToConnections => "Voltar às conexões", "Back to connections";
    WebhookSetup => "Webhook na Meta", "Webhook at Meta";
    WebhookSetupHint => "No painel do app na Meta (WhatsApp › Configuração), cole a URL de callback e o token de verificação abaixo e assine o campo messages.",
        "In the app's dashboard at Meta (WhatsApp › Configuration), paste the callback URL and the verify token below and subscribe to the messages field.";
    WebhookUrl => "URL de callback", "Callback URL";
    CopyValue => "Copiar", "Copy";
    CopiedValue => "Copiado.", "Copied.";
    TestConnection => "Testar", "Test";
    TestingConnection => "Testando…", "Testing…";
    TestOk => "Conexão funcionando:", "The connection works:";
    TestFailed => "A conexão falhou:", "The connection failed:";
    ConnectionInUseChoice => "Esta conexão tem atendimentos. Mantenha a conexão, ou exclua-a junto com todo o histórico (atendimentos, mensagens e arquivos) — isso não pode ser desfeito.",
        "This connection has tickets. Keep the connection, or delete it together with its whole history (tickets, messages and files) — this cannot be undone.";
    KeepConnection => "Manter a conexão", "Keep the connection";
    DeleteWithHistory => "Excluir com o histórico", "Delete with its history";
    WhatsappWebPairing => "Pareamento do WhatsApp Web", "WhatsApp Web pairing";
    SimulatorTitle => "Simulador: escreva como um cliente", "Simulator: write as a customer";
    SimulatorHint => "A mensagem chega pelo mesmo caminho de uma mensagem real e abre (ou continua) um atendimento.",
        "The message arrives the same way a real one does and opens (or continues) a ticket.";
    SimFrom => "Número do cliente", "Customer's number";
    SimName => "Nome do cliente", "Customer's name";
    SimText => "Mensagem", "Message";
    SimFile => "Arquivo (opcional)", "File (optional)";
    SimGroupId => "ID do grupo (opcional)", "Group id (optional)";
    SimGroupName => "Nome do grupo", "Group name";
    SimSend => "Enviar como cliente", "Send as the customer";
    SimSending => "Enviando…", "Sending…";
    SimSent => "Mensagem recebida.", "Message received.";
    SimOpenTicket => "Abrir o atendimento", "Open the ticket";
    SimFileTooLarge => "O arquivo pode ter no máximo 16 MB.", "The file may be at most 16 MB.";
    SimNeedsText => "Escreva uma mensagem ou escolha um arquivo.", "Write a message or choose a file.";
    SimNeedsNumber => "Informe o número do cliente.", "Enter the customer's number.";
    SimNeedsGroupName => "Informe o nome do grupo.", "Enter the group's name.";
    FirstRunTitle => "Conecte um número para começar", "Connect a number to start";
    FirstRunAdmin => "A empresa ainda não tem conexão, então nenhuma conversa pode chegar. Conecte um número do WhatsApp (Cloud API ou QR code) ou crie um simulador para experimentar.",
        "The company has no connection yet, so no conversation can arrive. Connect a WhatsApp number (Cloud API or QR code) or create a simulator to try it out.";
    FirstRunAction => "Criar uma conexão", "Create a connection";
    FirstRunAgent => "A empresa ainda não tem um número conectado. Peça a um administrador para conectar um em Conexões.",
        "The company has no connected number yet. Ask an administrator to connect one in Connections.";
    NotServiceAccount => "Não é uma chave de conta de serviço do Google (JSON com client_email e private_key).",
        "Not a Google service-account key (JSON with client_email and private_key).";
    UnknownEventType => "Escolha tipos de evento da lista.", "Choose event types from the list.";
    Integrations => "Integrações", "Integrations";
    IntegrationEnabled => "Ativa", "Enabled";
    BaseUrl => "Endereço do servidor (URL)", "Server address (URL)";
    PublicId => "ID público do bot", "Bot public id";
    ApiKeyField => "Chave de API", "API key";
    AiModel => "Modelo", "Model";
    SystemPrompt => "Instruções do sistema (prompt)", "System instructions (prompt)";
    Temperature => "Temperatura (0 a 2)", "Temperature (0 to 2)";
    MaxTokens => "Máximo de tokens por resposta", "Maximum tokens per answer";
    ProjectId => "ID do projeto", "Project id";
    BotLanguage => "Idioma", "Language";
    ServiceAccountJson => "Chave da conta de serviço (JSON)", "Service-account key (JSON)";
    CxLocation => "Região (DialogFlow CX)", "Region (DialogFlow CX)";
    CxAgentId => "ID do agente (DialogFlow CX)", "Agent id (DialogFlow CX)";
    SmsSender => "Remetente", "Sender";
    SecretReplaceHint => "Deixe em branco para manter; digite para substituir.", "Leave blank to keep it; type to replace it.";
    Sms => "SMS", "SMS";
    SendSms => "Enviar SMS", "Send SMS";
    SmsText => "Texto do SMS", "SMS text";
    SmsSent => "SMS enviado.", "SMS sent.";
    SmsDisabled => "O SMS (Comtele) está desligado em Configurações.", "SMS (Comtele) is switched off in Settings.";
    BotDisabled => "Esse bot está desligado em Configurações.", "That bot is switched off in Settings.";
    OneBotAtATime => "Só um bot pode atender o ticket por vez.", "Only one bot can answer a ticket at a time.";
    Bots => "Bots", "Bots";
    DefaultBot => "Bot inicial", "Starting bot";
    NoBot => "Nenhum", "None";
    DefaultBotHint => "Os novos atendimentos começam com esse bot, se a integração estiver ligada.", "New tickets start with this bot, if its integration is on.";
    TypebotHandoverKeyword => "Palavra para falar com uma pessoa", "Keyword to reach a person";
    ProviderRefused => "O provedor recusou ou não respondeu; tente de novo.", "The provider refused or did not answer; try again.";
    CompanySuspended => "Esta empresa está suspensa. Fale com o administrador da plataforma.",
        "This company is suspended. Talk to the platform administrator.";
    CompanyProtected => "A empresa do administrador da plataforma não pode ser suspensa nem excluída.",
        "The platform administrator's company cannot be suspended or deleted.";
    Webhooks => "Webhooks", "Webhooks";
    WebhooksSubtitle => "Eventos da empresa enviados, assinados, para integradores", "The company's events sent, signed, to integrators";
    NewWebhook => "Novo webhook", "New webhook";
    EditWebhook => "Editar webhook", "Edit webhook";
    OutgoingWebhookUrl => "URL de destino", "Target URL";
    WebhookEvents => "Eventos", "Events";
    WebhookEvent => "Evento", "Event";
    WebhookSecret => "Segredo", "Secret";
    WebhookSecretHint => "Pelo menos 16 caracteres; assina cada entrega (X-Atende-Signature).", "At least 16 characters; signs every delivery (X-Atende-Signature).";
    WebhookSwitchedOff => "Desligado pelo servidor:", "Switched off by the server:";
    WebhookDeliveries => "Entregas", "Deliveries";
    WebhookCreated => "Webhook criado.", "Webhook created.";
    WebhookUpdated => "Webhook salvo.", "Webhook saved.";
    WebhookDeleted => "Webhook excluído.", "Webhook deleted.";
    NoWebhooks => "Nenhum webhook ainda.", "No webhooks yet.";
    NoDeliveries => "Nenhuma entrega ainda.", "No deliveries yet.";
    DeliveryStatusLabel => "Situação (tentativas)", "Status (attempts)";
    DeliveryResponse => "Resposta", "Response";
    DeliveryLatency => "Latência", "Latency";
    Yes => "Sim", "Yes";
    No => "Não", "No";
    ApiTokens => "Tokens de API", "API tokens";
    ApiTokensSubtitle => "Para integradores: agem como o administrador que os criou", "For integrators: they act as the administrator who created them";
    NewApiToken => "Criar token", "Create token";
    ApiTokenShownOnce => "Copie agora: este token não será mostrado de novo.", "Copy it now: this token will not be shown again.";
    TokenPrefix => "Início do token", "Token start";
    LastUsed => "Último uso", "Last used";
    Revoke => "Revogar", "Revoke";
    NoApiTokens => "Nenhum token ainda.", "No tokens yet.";
    Companies => "Empresas", "Companies";
    CompaniesSubtitle => "Administrador da plataforma: empresas e seus primeiros administradores", "Platform administrator: companies and their first administrators";
    CompanyName => "Nome da empresa", "Company name";
    CompanyAdminName => "Nome do administrador", "Administrator's name";
    CompanyAdminEmail => "E-mail do administrador", "Administrator's e-mail";
    CompanyAdminPassword => "Senha do administrador", "Administrator's password";
    NewCompany => "Criar empresa", "Create company";
    CompanySuspendedLabel => "Suspensa", "Suspended";
    CompanyActiveLabel => "Ativa", "Active";
    CompanySuspend => "Suspender", "Suspend";
    CompanyRestore => "Reativar", "Restore";
    CompanyConfirmDelete => "Confirmar exclusão (apaga todos os dados)", "Confirm deletion (erases all its data)";
    // WhatsApp Web (pairing, history sync)
    WaStatusConnected => "Conectado", "Connected";
    WaStatusPairing => "Aguardando leitura do QR code", "Waiting for the QR code to be scanned";
    WaStatusDisconnected => "Desconectado", "Disconnected";
    WaStatusError => "Erro", "Error";
    WaScanQr => "No celular: WhatsApp > Aparelhos conectados > Conectar um aparelho, e aponte para este código.",
        "On the phone: WhatsApp > Linked devices > Link a device, and point it at this code.";
    WaConnect => "Conectar", "Connect";
    WaLogout => "Desconectar", "Log out";
    WaPairByCode => "Conectar com número de telefone", "Link with phone number";
    WaPhoneNumber => "Número do celular (com DDI e DDD)", "Phone number (with country and area code)";
    WaGetCode => "Gerar código", "Get code";
    WaTypeCode => "Digite este código no celular:", "Type this code on the phone:";
    NotWhatsappWeb => "Só conexões WhatsApp Web fazem isso.", "Only WhatsApp Web connections do this.";
    NotConnected => "A conexão WhatsApp Web não está conectada ao celular agora.", "The WhatsApp Web connection is not linked to the phone right now.";
    SyncHistory => "Sincronizar histórico", "Sync history";
    SyncHistoryHint => "Busca no celular mensagens mais antigas desta conversa.", "Fetches older messages of this chat from the phone.";
    SyncHistoryLimit => "Quantas mensagens (até 500)", "How many messages (up to 500)";
    SyncHistoryRunning => "Sincronizando…", "Syncing…";
    SyncHistoryDone => "Sincronização concluída", "Sync finished";
    SyncImported => "Importadas", "Imported";
    SyncAlready => "Já existiam", "Already there";
}

pub fn role_key(role: shared::auth::Role) -> Key {
    match role {
        shared::auth::Role::Admin => Key::RoleAdmin,
        shared::auth::Role::Supervisor => Key::RoleSupervisor,
        shared::auth::Role::Agent => Key::RoleAgent,
    }
}

/// A received rating: "Nota 4 de 5".
pub fn rating_score(locale: Locale, score: u8, scale: u8) -> String {
    match locale {
        Locale::Pt => format!("Nota {score} de {scale}"),
        Locale::En => format!("Score {score} out of {scale}"),
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

pub fn confirm_block_contact(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Pt => format!(
            "Bloquear “{name}”? As mensagens deste contato não serão recebidas nem abrirão atendimentos até que seja desbloqueado."
        ),
        Locale::En => {
            format!("Block “{name}”? Messages from this contact will not be received or open tickets until unblocked.")
        }
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

pub fn confirm_delete_sticker(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Pt => format!("Excluir a figurinha “{name}”? Mensagens já enviadas continuam com ela."),
        Locale::En => format!("Delete the sticker “{name}”? Messages already sent keep it."),
    }
}

pub fn confirm_delete_quick_reply(locale: Locale, shortcut: &str) -> String {
    match locale {
        Locale::Pt => format!("Excluir a mensagem rápida “/{shortcut}”?"),
        Locale::En => format!("Delete the quick reply “/{shortcut}”?"),
    }
}

pub fn confirm_delete_tag(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Pt => format!("Excluir a etiqueta “{name}”? Ela sai de todos os atendimentos."),
        Locale::En => format!("Delete the tag “{name}”? It comes off every ticket."),
    }
}

/// `1.234 de 100.000 linhas`.
pub fn import_progress(locale: Locale, processed: u32, total: u32) -> String {
    let group = |n: u32| {
        let digits = n.to_string();
        let separator = if locale == Locale::Pt { '.' } else { ',' };
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(c);
        }
        out
    };
    match locale {
        Locale::Pt => format!("{} de {} linhas", group(processed), group(total)),
        Locale::En => format!("{} of {} rows", group(processed), group(total)),
    }
}

/// Under the rejected rows listed, how many more there were.
pub fn import_more_rejected(locale: Locale, count: u32) -> String {
    match (locale, count) {
        (Locale::Pt, 1) => "…e mais 1 linha rejeitada.".to_owned(),
        (Locale::Pt, n) => format!("…e mais {n} linhas rejeitadas."),
        (Locale::En, 1) => "…and 1 more rejected row.".to_owned(),
        (Locale::En, n) => format!("…and {n} more rejected rows."),
    }
}

/// How the file was read: `UTF-8, separado por ;`.
pub fn import_read_as(locale: Locale, encoding: &str, delimiter: &str) -> String {
    let encoding = if encoding == "utf-8" { "UTF-8" } else { "Latin-1 (Windows-1252)" };
    let delimiter = if delimiter == "\t" { "tab" } else { delimiter };
    match locale {
        Locale::Pt => format!("Lido como {encoding}, separado por “{delimiter}”."),
        Locale::En => format!("Read as {encoding}, separated by “{delimiter}”."),
    }
}

pub fn confirm_delete_connection(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Pt => format!("Excluir a conexão “{name}”?"),
        Locale::En => format!("Delete the connection “{name}”?"),
    }
}

pub fn confirm_delete_queue(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Pt => format!("Excluir a fila “{name}”?"),
        Locale::En => format!("Delete the queue “{name}”?"),
    }
}

/// A system message of the thread (who accepted, transferred, returned, resolved, reopened).
pub fn system_note(locale: Locale, note: &SystemNote) -> String {
    let (actor, to) = (&note.actor, note.to.as_deref().unwrap_or_default());
    match (locale, note.kind) {
        (Locale::Pt, _) => note.sentence_pt(),
        (Locale::En, SystemNoteKind::Accepted) => format!("Ticket accepted by {actor}"),
        (Locale::En, SystemNoteKind::Transferred) => format!("Ticket transferred by {actor} to {to}"),
        (Locale::En, SystemNoteKind::Returned) => format!("{actor} returned the ticket to the queue"),
        (Locale::En, SystemNoteKind::Resolved) => format!("Ticket resolved by {actor}"),
        (Locale::En, SystemNoteKind::Reopened) => format!("Ticket reopened by {actor}"),
        (Locale::En, SystemNoteKind::NumberChanged) => format!("{actor} changed their number to {to}"),
        (Locale::En, SystemNoteKind::BotHandedOver) => format!("{actor} handed the ticket to the queue"),
        (Locale::En, SystemNoteKind::BotFailed) => format!("{actor} could not answer and was switched off"),
    }
}

/// Words a validation problem (from `shared::validate`, or a server's `details`) in the reader's
/// language; parameters (lengths) are part of the sentence.
pub fn validation_text(locale: Locale, invalid: &Invalid) -> String {
    let pt = locale == Locale::Pt;
    let key = match invalid {
        Invalid::TooShort { min } => {
            return if pt {
                format!("Use pelo menos {min} caracteres.")
            } else {
                format!("Must have at least {min} characters.")
            };
        }
        Invalid::TooLong { max } => {
            return if pt {
                format!("Use no máximo {max} caracteres.")
            } else {
                format!("Must be at most {max} characters.")
            };
        }
        Invalid::LengthBetween { min, max } => {
            return if pt {
                format!("Use de {min} a {max} caracteres.")
            } else {
                format!("Must be {min} to {max} characters.")
            };
        }
        Invalid::StickerTooLarge { max_kb } => {
            return if pt {
                format!("A figurinha pode ter no máximo {max_kb} KB.")
            } else {
                format!("The sticker may be at most {max_kb} KB.")
            };
        }
        Invalid::StickerDimensions { width, height } => {
            return if pt {
                format!("Figurinhas precisam ter 512×512 pixels; esta tem {width}×{height}.")
            } else {
                format!("Stickers must be 512×512 pixels; this one is {width}×{height}.")
            };
        }
        // A problem this build does not know: the server's sentence is better than nothing.
        Invalid::Other { message } => return message.clone(),
        Invalid::Required => Key::Required,
        Invalid::NotEmail => Key::MustBeEmail,
        Invalid::ControlCharacters => Key::NoControlChars,
        Invalid::NotColor => Key::MustBeColor,
        Invalid::NotPhone => Key::MustBePhone,
        Invalid::GroupNotPhone => Key::GroupNotPhone,
        Invalid::AlreadyInUse => Key::AlreadyInUse,
        Invalid::NotInCompany => Key::NotInCompany,
        Invalid::NotInTicket => Key::NotInTicket,
        Invalid::NotAnObject => Key::NotAnObject,
        Invalid::NotBase64 => Key::NotBase64,
        Invalid::NotUrl => Key::NotUrl,
        Invalid::NotPublicUrl => Key::NotPublicUrl,
        Invalid::WrongPassword => Key::WrongPassword,
        Invalid::CurrentPasswordRequired => Key::CurrentPasswordRequired,
        Invalid::RequiredForCloudApi => Key::RequiredForCloudApi,
        Invalid::NoConnection => Key::NoConnection,
        Invalid::QueueOrUser => Key::QueueOrUser,
        Invalid::EmptyFile => Key::EmptyFile,
        Invalid::FileRequired => Key::FileRequired,
        Invalid::NotAudio => Key::NotAudio,
        Invalid::StickerNotWebp => Key::StickerNotWebp,
        Invalid::NotASticker => Key::NotASticker,
        Invalid::StickerNoText => Key::StickerNoText,
        Invalid::UnknownFileKind => Key::UnknownFileKind,
        Invalid::UnknownTimeZone => Key::UnknownTimeZone,
        Invalid::NotInFuture => Key::NotInFuture,
        Invalid::TooFarAhead { days } => {
            return if pt {
                format!("Escolha uma data nos próximos {days} dias.")
            } else {
                format!("Choose a date within {days} days.")
            };
        }
        Invalid::ContainsSpaces => Key::ContainsSpaces,
        Invalid::NumberBetween { min, max } => {
            return if pt {
                format!("Use um número de {min} a {max}.")
            } else {
                format!("Use a number from {min} to {max}.")
            };
        }
        Invalid::OneOf { choices } => {
            let choices: Vec<String> = choices.iter().map(u32::to_string).collect();
            let choices = choices.join(", ");
            return if pt { format!("Escolha um destes: {choices}.") } else { format!("Choose one of: {choices}.") };
        }
        Invalid::Malformed { .. } => Key::MalformedInput,
        Invalid::DuplicateInFile { row } => {
            return if pt {
                format!("Repete o número da linha {row}.")
            } else {
                format!("Repeats the number of row {row}.")
            };
        }
        Invalid::NotCsv => Key::NotCsv,
        Invalid::BadMapping => Key::BadMapping,
        Invalid::NotServiceAccount => Key::NotServiceAccount,
        Invalid::UnknownEventType => Key::UnknownEventType,
        Invalid::OneBotAtATime => Key::OneBotAtATime,
    };
    key.text(locale).to_owned()
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

// kanban: what the screen reader hears while a card is moved with the keyboard.
pub fn kanban_picked(locale: Locale, number: i64, lane: &str) -> String {
    match locale {
        Locale::Pt => format!("Cartão #{number} pego, na coluna {lane}. Setas movem, Enter solta, Esc cancela."),
        Locale::En => format!("Card #{number} picked up, in lane {lane}. Arrows move it, Enter drops it, Esc cancels."),
    }
}

pub fn kanban_over(locale: Locale, lane: &str, place: usize, lanes: usize) -> String {
    match locale {
        Locale::Pt => format!("Sobre a coluna {lane}, {place} de {lanes}."),
        Locale::En => format!("Over lane {lane}, {place} of {lanes}."),
    }
}

pub fn kanban_dropped(locale: Locale, number: i64, lane: &str) -> String {
    match locale {
        Locale::Pt => format!("Cartão #{number} solto na coluna {lane}."),
        Locale::En => format!("Card #{number} dropped in lane {lane}."),
    }
}

pub fn kanban_cancelled(locale: Locale, number: i64, lane: &str) -> String {
    match locale {
        Locale::Pt => format!("Movimento cancelado; o cartão #{number} continua na coluna {lane}."),
        Locale::En => format!("Move cancelled; card #{number} stays in lane {lane}."),
    }
}

pub fn confirm_delete_board(locale: Locale, name: &str) -> String {
    match locale {
        Locale::Pt => format!("Excluir o quadro “{name}”? Os atendimentos saem dele."),
        Locale::En => format!("Delete the board “{name}”? Its tickets leave it."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_notes_read_in_the_readers_language() {
        let note = SystemNote { kind: SystemNoteKind::Transferred, actor: "Ana".into(), to: Some("Suporte".into()) };
        assert_eq!(system_note(Locale::Pt, &note), "Atendimento transferido por Ana para Suporte");
        assert_eq!(system_note(Locale::En, &note), "Ticket transferred by Ana to Suporte");
        for kind in SystemNoteKind::ALL {
            let note = SystemNote { kind: *kind, actor: "Ana".into(), to: None };
            assert_ne!(system_note(Locale::Pt, &note), system_note(Locale::En, &note));
        }
    }

    #[test]
    fn every_validation_problem_is_worded_in_both_languages() {
        let problems = [
            Invalid::Required,
            Invalid::TooShort { min: 8 },
            Invalid::TooLong { max: 120 },
            Invalid::LengthBetween { min: 1, max: 64 },
            Invalid::NotEmail,
            Invalid::ControlCharacters,
            Invalid::NotColor,
            Invalid::NotPhone,
            Invalid::GroupNotPhone,
            Invalid::AlreadyInUse,
            Invalid::NotInCompany,
            Invalid::NotInTicket,
            Invalid::NotAnObject,
            Invalid::NotBase64,
            Invalid::NotUrl,
            Invalid::NotPublicUrl,
            Invalid::WrongPassword,
            Invalid::CurrentPasswordRequired,
            Invalid::RequiredForCloudApi,
            Invalid::NoConnection,
            Invalid::QueueOrUser,
            Invalid::EmptyFile,
            Invalid::FileRequired,
            Invalid::NotAudio,
            Invalid::StickerNotWebp,
            Invalid::StickerTooLarge { max_kb: 100 },
            Invalid::StickerDimensions { width: 256, height: 256 },
            Invalid::NotASticker,
            Invalid::StickerNoText,
            Invalid::UnknownFileKind,
            Invalid::UnknownTimeZone,
            Invalid::NotInFuture,
            Invalid::TooFarAhead { days: 366 },
            Invalid::ContainsSpaces,
            Invalid::NumberBetween { min: 1, max: 100 },
            Invalid::OneOf { choices: vec![3, 5, 10] },
            Invalid::NotServiceAccount,
            Invalid::UnknownEventType,
            Invalid::OneBotAtATime,
            Invalid::Malformed { reason: "missing field `name`".into() },
        ];
        for problem in &problems {
            let (pt, en) = (validation_text(Locale::Pt, problem), validation_text(Locale::En, problem));
            assert_ne!(pt, problem.to_string(), "no Portuguese text for {problem:?}");
            assert!(!en.is_empty() && pt != en, "{problem:?}");
        }
        assert_eq!(validation_text(Locale::Pt, &Invalid::TooLong { max: 120 }), "Use no máximo 120 caracteres.");
        assert_eq!(validation_text(Locale::En, &Invalid::Other { message: "is odd".into() }), "is odd");
    }
}
