//! The demo conversations of `atende seed-demo`: a simulator connection, contacts and a few dozen
//! conversations in Portuguese (open, pending, closed, two groups, a file of each kind, notes,
//! tags, a rating, quick replies), written through the same paths as real traffic: customers'
//! messages through the inbound path, agents' through the normal send path (the outbox settles
//! them on the simulator). Each conversation is keyed by the provider id of its first message, so
//! running it again changes nothing.

use chrono::{Duration, Utc};
use shared::auth::Role;
use shared::contacts::{ConnectionKind, NewConnection};
use shared::quick_replies::NewQuickReply;
use shared::tags::NewTag;
use shared::tickets::{MessageKind, NewNote, TransferTicket};
use shared::{CompanyId, QueueId, TagId, TicketId, UserId};

use crate::auth::CurrentUser;
use crate::domain::inbound::{self, Inbound, InboundFile, Received, SenderId};
use crate::domain::tickets::Action;
use crate::domain::{connections, media, messages, notes, quick_replies, settings, tags, tickets};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;
use crate::store::entities::connections as connection_rows;

pub const CONNECTION_NAME: &str = "Simulador (demonstração)";

/// A file a customer sends in the demo.
#[derive(Clone, Copy)]
enum File {
    Photo,
    Voice,
    Video,
    Pdf,
    Sticker,
}

/// One thing that happens in a conversation, in order.
enum Step {
    /// The customer writes.
    Says(&'static str),
    /// In a group: a member (number, name) writes.
    Member(&'static str, &'static str, &'static str),
    /// The customer sends a file, with a caption.
    Sends(File, &'static str),
    /// The customer shares a location (latitude, longitude, place).
    Place(f64, f64, &'static str),
    /// The ticket waits in a queue (index into Vendas, Suporte, Financeiro).
    Queue(usize),
    /// The agent of that queue takes it.
    Accept(usize),
    /// The agent who took it answers.
    Answers(&'static str),
    Note(&'static str),
    Tag(&'static str),
    Resolve,
    /// Resolved with the survey; the customer answers with this score.
    Rated(&'static str),
}

struct Conversation {
    key: &'static str,
    number: &'static str,
    name: &'static str,
    /// A group conversation: (group id, group name); `number`/`name` then write its first message.
    group: Option<(&'static str, &'static str)>,
    /// How long ago the customer wrote, for tickets nobody answered yet.
    minutes_ago: i64,
    steps: &'static [Step],
}

use File::*;
use Step::*;

const VENDAS: usize = 0;
const SUPORTE: usize = 1;
const FINANCEIRO: usize = 2;

const CONVERSATIONS: &[Conversation] = &[
    // Open: an agent is on it.
    Conversation {
        key: "c01",
        number: "5511987650101",
        name: "Mariana Alves",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Boa tarde! Vocês têm o tênis de corrida no tamanho 38?"),
            Accept(VENDAS),
            Answers("Boa tarde, Mariana! Temos sim, nas cores preta e azul. Qual prefere?"),
            Says("Azul! Qual o valor?"),
            Answers("Sai por R$ 349,90, com frete grátis para São Paulo."),
            Tag("Orçamento"),
        ],
    },
    Conversation {
        key: "c02",
        number: "5521998760202",
        name: "Rafael Souza",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Meu pedido 4521 chegou com a caixa amassada"),
            Sends(Photo, "Foto da embalagem"),
            Accept(SUPORTE),
            Answers("Sinto muito, Rafael. O produto em si está inteiro?"),
            Says("O produto está ok, só a caixa mesmo"),
            Note("Registrar ocorrência com a transportadora (lote 77)."),
            Tag("Reclamação"),
        ],
    },
    Conversation {
        key: "c03",
        number: "5531987650303",
        name: "Fernanda Lima",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Preciso da segunda via do boleto de novembro"),
            Accept(FINANCEIRO),
            Answers("Claro, Fernanda! Pode me confirmar o CPF do titular?"),
            Says("123.456.789-00"),
        ],
    },
    Conversation {
        key: "c04",
        number: "5541998760404",
        name: "Lucas Pereira",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Oi, o aplicativo não abre desde a atualização"),
            Accept(SUPORTE),
            Answers("Oi, Lucas! Qual o modelo do seu celular?"),
            Sends(Voice, ""),
            Answers("Entendi. Tente limpar o cache do aplicativo e me avise, por favor."),
        ],
    },
    Conversation {
        key: "c05",
        number: "5551987650505",
        name: "Juliana Costa",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Vocês entregam em Porto Alegre?"),
            Accept(VENDAS),
            Answers("Entregamos sim! O prazo é de 3 a 5 dias úteis."),
            Says("Ótimo, vou fechar o pedido então 😊"),
            Tag("VIP"),
        ],
    },
    Conversation {
        key: "c06",
        number: "5561998760606",
        name: "Pedro Henrique",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Segue o comprovante do Pix"),
            Sends(Pdf, "comprovante"),
            Accept(FINANCEIRO),
            Answers("Recebido, Pedro! Em até 1 hora o pagamento é confirmado."),
        ],
    },
    Conversation {
        key: "c07",
        number: "5571987650707",
        name: "Camila Rocha",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Olha como ficou a instalação"),
            Sends(Video, "funcionando"),
            Accept(SUPORTE),
            Answers("Ficou ótimo, Camila! Qualquer dúvida é só chamar."),
            Sends(Sticker, ""),
        ],
    },
    Conversation {
        key: "c08",
        number: "5581998760808",
        name: "Thiago Martins",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Qual o endereço da loja física?"),
            Accept(VENDAS),
            Answers("Ficamos na Av. Paulista, 1000 — loja 12."),
            Place(-23.5650, -46.6520, "Estou aqui perto, é esse o lugar?"),
            Answers("Isso mesmo, a duas quadras daí!"),
        ],
    },
    Conversation {
        key: "c09",
        number: "5511976540909",
        name: "Aline Barbosa",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Quero mudar o plano para o anual"),
            Accept(FINANCEIRO),
            Answers("Perfeito, Aline! No anual você economiza 2 meses."),
            Note("Cliente desde 2019; oferecer desconto de fidelidade."),
            Tag("VIP"),
        ],
    },
    Conversation {
        key: "c10",
        number: "5511965431010",
        name: "Bruno Carvalho",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Tem cupom de primeira compra?"),
            Accept(VENDAS),
            Answers("Tem sim! Use BEMVINDO10 e ganhe 10% de desconto."),
        ],
    },
    // Pending: waiting in a queue.
    Conversation {
        key: "p01",
        number: "5511954321111",
        name: "Gabriela Nunes",
        group: None,
        minutes_ago: 4,
        steps: &[Says("Olá, gostaria de um orçamento para 50 camisetas personalizadas"), Queue(VENDAS)],
    },
    Conversation {
        key: "p02",
        number: "5521987651212",
        name: "Marcos Vinícius",
        group: None,
        minutes_ago: 9,
        steps: &[
            Says("A internet caiu de novo aqui no bairro"),
            Says("Já reiniciei o roteador duas vezes"),
            Queue(SUPORTE),
        ],
    },
    Conversation {
        key: "p03",
        number: "5531976541313",
        name: "Patrícia Gomes",
        group: None,
        minutes_ago: 15,
        steps: &[Says("Fui cobrada duas vezes no cartão"), Sends(Photo, "print da fatura"), Queue(FINANCEIRO)],
    },
    Conversation {
        key: "p04",
        number: "5541965431414",
        name: "Rodrigo Teixeira",
        group: None,
        minutes_ago: 22,
        steps: &[Says("Bom dia! Vocês abrem no feriado?")],
    },
    Conversation {
        key: "p05",
        number: "5551954321515",
        name: "Vanessa Ribeiro",
        group: None,
        minutes_ago: 31,
        steps: &[Sends(Voice, ""), Queue(SUPORTE)],
    },
    Conversation {
        key: "p06",
        number: "5561943211616",
        name: "Felipe Araújo",
        group: None,
        minutes_ago: 40,
        steps: &[Says("Quanto custa a instalação?"), Queue(VENDAS)],
    },
    Conversation {
        key: "p07",
        number: "5571932101717",
        name: "Larissa Mendes",
        group: None,
        minutes_ago: 55,
        steps: &[Says("Não recebi a nota fiscal do pedido 3390"), Queue(FINANCEIRO)],
    },
    Conversation {
        key: "p08",
        number: "5581921091818",
        name: "Diego Fernandes",
        group: None,
        minutes_ago: 70,
        steps: &[Says("O produto veio com defeito"), Sends(Video, "não liga"), Queue(SUPORTE)],
    },
    Conversation {
        key: "p09",
        number: "5511910981919",
        name: "Renata Moreira",
        group: None,
        minutes_ago: 95,
        steps: &[Says("Vocês aceitam vale-refeição?")],
    },
    Conversation {
        key: "p10",
        number: "5521909872020",
        name: "André Cardoso",
        group: None,
        minutes_ago: 130,
        steps: &[Place(-22.9068, -43.1729, "Conseguem entregar neste endereço?"), Queue(VENDAS)],
    },
    // Closed: resolved.
    Conversation {
        key: "f01",
        number: "5511998762121",
        name: "Beatriz Santos",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Como faço para trocar a senha?"),
            Accept(SUPORTE),
            Answers("Em Configurações > Conta > Trocar senha. Consegue ver aí?"),
            Says("Consegui, obrigada!"),
            Rated("5"),
        ],
    },
    Conversation {
        key: "f02",
        number: "5521976542222",
        name: "Gustavo Oliveira",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Quero cancelar a assinatura"),
            Accept(FINANCEIRO),
            Answers("Feito, Gustavo. O cancelamento vale a partir do próximo ciclo."),
            Note("Motivo: mudou de cidade."),
            Resolve,
        ],
    },
    Conversation {
        key: "f03",
        number: "5531965432323",
        name: "Carolina Dias",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("O pedido já saiu para entrega?"),
            Accept(VENDAS),
            Answers("Saiu hoje cedo! Chega até as 18h."),
            Says("Chegou, muito obrigada!"),
            Resolve,
        ],
    },
    Conversation {
        key: "f04",
        number: "5541954322424",
        name: "Ricardo Almeida",
        group: None,
        minutes_ago: 0,
        steps: &[
            Sends(Pdf, "contrato assinado"),
            Accept(FINANCEIRO),
            Answers("Recebemos o contrato, Ricardo. Tudo certo!"),
            Resolve,
        ],
    },
    Conversation {
        key: "f05",
        number: "5551943212525",
        name: "Isabela Freitas",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Vocês têm garantia estendida?"),
            Accept(VENDAS),
            Answers("Temos: 12 meses extras por R$ 89,90."),
            Says("Vou pensar, obrigada"),
            Tag("Orçamento"),
            Resolve,
        ],
    },
    Conversation {
        key: "f06",
        number: "5561932102626",
        name: "Leonardo Castro",
        group: None,
        minutes_ago: 0,
        steps: &[
            Says("Meu fone parou de funcionar"),
            Sends(Photo, ""),
            Accept(SUPORTE),
            Answers("Vamos trocar pela garantia. Enviamos a etiqueta de postagem por e-mail."),
            Resolve,
        ],
    },
    // Groups.
    Conversation {
        key: "g01",
        number: "5511987653131",
        name: "Sofia Martins",
        group: Some(("120363025550001@g.us", "Clientes VIP — Loja Centro")),
        minutes_ago: 0,
        steps: &[
            Says("Bom dia, pessoal! Alguém sabe se a promoção de sábado continua?"),
            Member("5511976543232", "Henrique Prado", "Também quero saber 👀"),
            Member("5511965433333", "Tatiane Reis", "Vi no Instagram que vai até domingo"),
            Accept(VENDAS),
            Answers("Bom dia! A promoção vai até domingo, em todas as lojas 🎉"),
            Member("5511976543232", "Henrique Prado", "Valeu!"),
            Sends(Sticker, ""),
        ],
    },
    Conversation {
        key: "g02",
        number: "5521998763434",
        name: "Otávio Neves",
        group: Some(("120363025550002@g.us", "Condomínio Jardim — Manutenção")),
        minutes_ago: 12,
        steps: &[
            Says("O portão da garagem está travando de novo"),
            Member("5521987653535", "Cláudia Ramos", "Aqui no bloco B também"),
            Sends(Video, "portão travado"),
            Member("5521976543636", "Sérgio Lopes", "Alguém já chamou o técnico?"),
            Queue(SUPORTE),
        ],
    },
];

// ---------------------------------------------------------------------------------------------------
// Tiny valid files, made here so the demo needs nothing on disk.

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in bytes {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// A 48×48 PNG with a diagonal gradient (uncompressed deflate: no compression crate needed).
pub fn demo_png() -> Vec<u8> {
    const SIZE: u32 = 48;
    let mut raw = Vec::new();
    for y in 0..SIZE {
        raw.push(0); // no filter
        for x in 0..SIZE {
            raw.extend_from_slice(&[(15 + x * 4) as u8, (118 + y * 2) as u8, 110]);
        }
    }
    let mut zlib = vec![0x78, 0x01, 0x01];
    let len = raw.len() as u16;
    zlib.extend_from_slice(&len.to_le_bytes());
    zlib.extend_from_slice(&(!len).to_le_bytes());
    zlib.extend_from_slice(&raw);
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());
    let chunk = |out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&SIZE.to_be_bytes());
    header.extend_from_slice(&SIZE.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut png, b"IHDR", &header);
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// A one-page PDF that says `text`, with a correct cross-reference table.
pub fn demo_pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    pdf
}

/// A 1×1 lossless WebP (a sticker must be WebP).
const WEBP: &[u8] =
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00";
/// A short voice note and video as Chromium records them (the fixtures of the media tests).
const VOICE: &[u8] = include_bytes!("media/fixtures/chromium-opus.webm");
const VIDEO: &[u8] = include_bytes!("media/fixtures/chromium-vp8.webm");

fn file(kind: File) -> (MessageKind, Vec<u8>, &'static str) {
    match kind {
        Photo => (MessageKind::Image, demo_png(), "foto.png"),
        Voice => (MessageKind::Audio, VOICE.to_vec(), "audio.webm"),
        Video => (MessageKind::Video, VIDEO.to_vec(), "video.webm"),
        Pdf => (MessageKind::Document, demo_pdf("Comprovante - Atende demo"), "comprovante.pdf"),
        Sticker => (MessageKind::Sticker, WEBP.to_vec(), "figurinha.webp"),
    }
}

// ---------------------------------------------------------------------------------------------------

fn as_user(user: &store::entities::users::Model) -> CurrentUser {
    CurrentUser {
        id: UserId(user.id),
        company_id: CompanyId(user.company_id),
        role: Role::from(user.role),
        platform_admin: user.platform_admin,
        session_id: None,
        api_token_id: None,
    }
}

/// The company's simulator connection, created when there is none.
async fn simulator(state: &AppState, admin: &CurrentUser) -> AppResult<connection_rows::Model> {
    let rows = store::connections::page(&state.db, admin.company_id, None, 1000).await?;
    if let Some(existing) = rows.into_iter().find(|c| ConnectionKind::from(c.kind) == ConnectionKind::Simulator) {
        return Ok(existing);
    }
    let new = NewConnection {
        name: CONNECTION_NAME.into(),
        kind: ConnectionKind::Simulator,
        default_queue_id: None,
        phone_number_id: None,
        access_token: None,
        app_secret: None,
        verify_token: None,
        graph_base_url: None,
        default_bot: None,
    };
    let created = connections::create(state, admin, new).await?;
    connections::find(state, admin, created.id).await
}

async fn tag_ids(state: &AppState, admin: &CurrentUser) -> AppResult<Vec<(String, TagId)>> {
    let wanted = [("VIP", "#8e24aa"), ("Reclamação", "#e53935"), ("Orçamento", "#1e88e5")];
    let mut existing = store::tags::page(&state.db, admin.company_id, None, 1000).await?;
    let mut out = Vec::new();
    for (name, color) in wanted {
        let id = match existing.iter().find(|t| t.name == name) {
            Some(tag) => TagId(tag.id),
            None => {
                let tag = tags::create(state, admin, NewTag { name: name.into(), color: color.into(), position: None })
                    .await?;
                existing = store::tags::page(&state.db, admin.company_id, None, 1000).await?;
                tag.id
            }
        };
        out.push((name.to_owned(), id));
    }
    Ok(out)
}

async fn quick_replies_of(state: &AppState, admin: &CurrentUser) -> AppResult<()> {
    let existing =
        store::quick_replies::page(&state.db, admin.company_id, store::quick_replies::Scope::All, None, None, 1000)
            .await?;
    let wanted = [
        ("ola", "Olá! Obrigado por falar com a gente. Em que posso ajudar?"),
        ("pix", "Nossa chave Pix é o CNPJ 12.345.678/0001-90. Depois é só enviar o comprovante aqui."),
        ("horario", "Atendemos de segunda a sexta, das 8h às 18h, e aos sábados das 9h às 13h."),
    ];
    for (shortcut, body) in wanted {
        if existing.iter().any(|q| q.shortcut == shortcut) {
            continue;
        }
        let new = NewQuickReply { shortcut: shortcut.into(), body: body.into(), queue_id: None };
        quick_replies::create(state, admin, new).await?;
    }
    Ok(())
}

/// The survey must be on for the demo's rating; turning it on keeps the rest of the settings.
async fn ratings_on(state: &AppState, admin: &CurrentUser) -> AppResult<()> {
    if settings::general_of(&state.db, admin.company_id).await?.ratings.enabled {
        return Ok(());
    }
    let patch = shared::settings::SettingsPatch {
        general: Some(shared::settings::GeneralPatch {
            ratings: Some(shared::settings::RatingsPatch { enabled: Some(true), ..Default::default() }),
            ..Default::default()
        }),
        ..Default::default()
    };
    settings::update(state, admin, patch).await?;
    Ok(())
}

/// Waits (up to `wait`) until the outbox has sent everything queued, so a command that seeded
/// the demo leaves no answer pending.
pub async fn settle(state: &AppState, wait: std::time::Duration) -> AppResult<()> {
    let deadline = std::time::Instant::now() + wait;
    let later = Utc::now() + Duration::days(1);
    while !store::outbox::due(&state.db, later, 1).await?.is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(())
}

/// What `conversations` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub conversations: usize,
    pub skipped: usize,
}

/// Writes the demo conversations not written yet. `agents` are the demo agents of Vendas, Suporte
/// and Financeiro, `queues` those queues, in that order.
pub async fn conversations(
    state: &AppState,
    admin: &store::entities::users::Model,
    agents: &[store::entities::users::Model],
    queues: &[QueueId],
) -> AppResult<Seeded> {
    let admin = as_user(admin);
    let agents: Vec<CurrentUser> = agents.iter().map(as_user).collect();
    let connection = simulator(state, &admin).await?;
    let tags = tag_ids(state, &admin).await?;
    quick_replies_of(state, &admin).await?;
    ratings_on(state, &admin).await?;
    let mut seeded = Seeded::default();
    for conversation in CONVERSATIONS {
        let first = format!("demo-{}-1", conversation.key);
        if inbound::is_known(state, &connection, &first).await? {
            seeded.skipped += 1;
            continue;
        }
        play(state, &connection, &admin, &agents, queues, &tags, conversation).await?;
        seeded.conversations += 1;
    }
    Ok(seeded)
}

async fn play(
    state: &AppState,
    connection: &connection_rows::Model,
    admin: &CurrentUser,
    agents: &[CurrentUser],
    queues: &[QueueId],
    tags: &[(String, TagId)],
    conversation: &Conversation,
) -> AppResult<()> {
    let start = Utc::now() - Duration::minutes(conversation.minutes_ago);
    let mut ticket: Option<TicketId> = None;
    let mut agent: Option<&CurrentUser> = None;
    let mut count = 0;
    for step in conversation.steps {
        let mut message = |from: &str, name: &str, kind: MessageKind, body: &str, media: Option<InboundFile>| {
            count += 1;
            Inbound {
                from: from.to_owned(),
                sender: SenderId::Typed,
                name: Some(name.to_owned()),
                group: conversation.group.map(|(id, name)| (id.to_owned(), name.to_owned())),
                kind,
                body: body.to_owned(),
                external_id: Some(format!("demo-{}-{count}", conversation.key)),
                media,
                // Unanswered tickets waited a while; answered ones happen now, in order.
                at: start + Duration::seconds(count),
                ..Inbound::default()
            }
        };
        let inbound = match step {
            Says(text) => Some(message(conversation.number, conversation.name, MessageKind::Text, text, None)),
            Member(number, name, text) => Some(message(number, name, MessageKind::Text, text, None)),
            Sends(kind, caption) => {
                let (declared, bytes, name) = file(*kind);
                let sniffed = media::sniff_inbound(declared, &bytes);
                let file = InboundFile { bytes, mime: sniffed.mime, name: Some(name.to_owned()) };
                Some(message(conversation.number, conversation.name, sniffed.kind, caption, Some(file)))
            }
            Place(lat, lng, caption) => {
                let body = format!("{lat},{lng} {caption}");
                Some(message(conversation.number, conversation.name, MessageKind::Location, &body, None))
            }
            _ => None,
        };
        if let Some(inbound) = inbound {
            match inbound::receive(state, connection, inbound).await? {
                Received::Stored { ticket_id, .. } | Received::Duplicate { ticket_id, .. } => ticket = Some(ticket_id),
                Received::Blocked => return Ok(()),
            }
            continue;
        }
        let id = ticket.ok_or_else(|| AppError::Internal(anyhow::anyhow!("a demo step before any message")))?;
        match step {
            Queue(queue) => {
                let transfer = TransferTicket { queue_id: Some(queues[*queue]), user_id: None };
                tickets::transition(state, admin, id, Action::Transfer(transfer)).await?;
            }
            Accept(queue) => {
                let transfer = TransferTicket { queue_id: Some(queues[*queue]), user_id: None };
                tickets::transition(state, admin, id, Action::Transfer(transfer)).await?;
                let who = &agents[*queue];
                tickets::transition(state, who, id, Action::Accept).await?;
                agent = Some(who);
            }
            Answers(text) => {
                let who = agent.unwrap_or(admin);
                messages::send(state, who, id, (*text).to_owned(), None, None).await?;
            }
            Note(text) => {
                notes::create(state, agent.unwrap_or(admin), id, NewNote { body: (*text).to_owned() }).await?;
            }
            Tag(name) => {
                if let Some((_, tag)) = tags.iter().find(|(n, _)| n == name) {
                    tags::set_on_ticket(state, agent.unwrap_or(admin), id, *tag, true).await?;
                }
            }
            Resolve => {
                tickets::transition(state, agent.unwrap_or(admin), id, Action::Resolve { send_rating: false }).await?;
            }
            Rated(score) => {
                tickets::transition(state, agent.unwrap_or(admin), id, Action::Resolve { send_rating: true }).await?;
                let answer = message(conversation.number, conversation.name, MessageKind::Text, score, None);
                inbound::receive(state, connection, answer).await?;
            }
            Says(_) | Member(..) | Sends(..) | Place(..) => {}
        }
    }
    Ok(())
}
