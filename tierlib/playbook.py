"""Playbooks: a strategy card for each tier, customer kind and RFM segment, and the split of a
service budget across tiers.

Cards
-----
A card is ``{"goal": str, "actions": [str, ...], "measure": str}``: what the group is for, what
to do, and how to tell whether it works. :data:`DEFAULT_CARDS` holds the product's defaults in
Chinese and English for

* the textbook tiers (``vip``, ``major``, ``ordinary``, ``small``) -- another number of tiers
  maps by position (:func:`tier_keys`: the top tier takes the VIP card, the bottom tier the
  small card, a second tier of four or more the major card, the others the ordinary card);
* the four kinds of established customers (``profit``, ``volume``, ``relationship``,
  ``strategic``);
* the eleven RFM segments (:data:`RFM_SEGMENTS`).

Edits are plain data kept by the caller (the app keeps them in ``ws.annotations["playbook"]``):
``{"cards": {card_id: card}, "allocation": {...}}``; :func:`card`, :func:`set_card` and
:func:`reset_card` read and write that dict. An edited card is the user's text and is shown
as is in either language.

Allocation
----------
:func:`allocate` takes per-tier profit and customer counts (``Grading.tiers``), the cost to
serve one customer of each tier and a budget, and returns per tier: the current service cost
(cost per customer × customers), profit after service, the return per unit of service cost
(profit ÷ service cost), whether the tier loses money after service, and a suggested split of
the budget -- in proportion to tier profit (a tier with zero or negative profit gets nothing) or
to user weights. Amounts are split in cents with the largest-remainder rule, so the suggested
amounts add up to the budget exactly.
"""

from __future__ import annotations

import copy
import math
import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import plotly.graph_objects as go

from tierlib.charts import FONT_FAMILY, GRID, NEUTRAL, TRANSPARENT
from tierlib.io import InputError

TEXTBOOK_TIERS = ("vip", "major", "ordinary", "small")
KINDS = ("profit", "volume", "relationship", "strategic")
RFM_SEGMENTS = ("champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
                "about_to_sleep", "at_risk", "cant_lose", "hibernating", "lost")
GROUPS = {"tier": TEXTBOOK_TIERS, "kind": KINDS, "rfm": RFM_SEGMENTS}
#: Other spellings of the segment codes (tierlib.rfm calls potential loyalists "potential").
RFM_ALIASES = {"potential": "potential_loyalist"}
FIELDS = ("goal", "actions", "measure")
METHODS = ("profit", "weights")
#: Placeholder cost to serve one customer, as a multiple of the average profit per customer
#: (a starting point for the editor, to be replaced by the user's own figures).
SERVICE_INTENSITY = {"vip": 2.0, "major": 1.0, "ordinary": 0.5, "small": 0.2}
#: Placeholder weights of the "by weights" split.
DEFAULT_WEIGHTS = {"vip": 4.0, "major": 3.0, "ordinary": 2.0, "small": 1.0}

# ------------------------------------------------------------------------------------------
# Default cards, written for this product (zh and en say the same thing).

DEFAULT_CARDS: dict[tuple[str, str], dict[str, dict]] = {
    ("tier", "vip"): {
        "zh": {
            "goal": "利润的顶梁柱：让他们始终感到被优先、被理解，不给竞争对手留机会。",
            "actions": [
                "指定专属客户经理或服务小组一对一对接，把响应时限写进服务承诺。",
                "每季度至少一次上门回访，听对方讲业务计划，也了解他们的客户要什么。",
                "投诉和问题优先处理：当天回应，专人跟进到解决为止。",
                "记住对方的重要时刻——周年庆、获得荣誉、新项目启动——及时道贺或到场支持。",
                "对方遇到难处（急单、资金周转、交期冲突）时主动想办法帮一把。",
                "新款、新面料、新工艺请他们先试，并邀请参与产品改进。",
            ],
            "measure": "留存率、利润占比、投诉解决时长；满意度调查中“急需改进”项是否减少。",
        },
        "en": {
            "goal": "The pillars of your profit: make them feel first in line and understood, and leave "
                    "no opening for a competitor.",
            "actions": [
                ("Name a dedicated account manager or small team as their single contact; put response "
                 "times into the service promise."),
                ("Visit at least once a quarter; listen to their business plans and to what their own "
                 "customers ask of them."),
                ("Handle their complaints first: answer the same day and keep one owner on it until it "
                 "is solved."),
                ("Remember their milestones - anniversaries, awards, new projects - and congratulate or "
                 "show up."),
                ("When they are in a bind (a rush order, a cash squeeze, clashing deadlines), offer help "
                 "before they ask."),
                ("Let them try new designs, fabrics and processes first, and invite them to shape "
                 "improvements."),
            ],
            "measure": "Retention, share of profit, time to resolve complaints; fewer 'improve urgently' "
                       "items in the satisfaction survey.",
        },
    },
    ("tier", "major"): {
        "zh": {
            "goal": "与重要客户一起构成关键客户：关系要稳，还要找到向上的空间。",
            "actions": [
                "纳入关键客户管理：固定客户经理，每半年做一次合作回顾。",
                "建立顺畅的双向沟通，主动告知生产进度和交期变化，不让客户追着问。",
                "对照其采购结构，找出还没有从我们这里买的品类，逐个推荐。",
                "投诉处理与重要客户同等优先。",
                "有希望升级为重要客户的，单独列出来，写清还差什么。",
            ],
            "measure": "升为重要客户的数量、人均利润、购买品类数、留存率。",
        },
        "en": {
            "goal": "Together with the VIPs they are your key customers: keep the relationship steady "
                    "and find room to grow.",
            "actions": [
                ("Manage them as key accounts: a fixed account manager and a review of the partnership "
                 "every six months."),
                ("Keep communication flowing both ways; report production progress and delivery changes "
                 "before they have to ask."),
                ("Compare what they buy with what you offer and propose the categories they still buy "
                 "elsewhere."),
                "Give their complaints the same priority as the VIPs'.",
                "List the ones that could become VIPs and write down what is still missing.",
            ],
            "measure": "Customers promoted to VIP, profit per customer, categories bought, retention.",
        },
    },
    ("tier", "ordinary"): {
        "zh": {
            "goal": "把有潜力的和没潜力的分开：前者培养升级，后者降低服务成本。",
            "actions": [
                "按采购规模、行业前景和近期增长，把普通客户分成“有升级潜力”和“维持现状”两组。",
                "有潜力的：制定升级计划——扩大他们购买的产品线，提供量体、制作到分发的一站式服务，引导选购更高价值的产品。",
                "客户升级后，服务等级同步提高，让升级看得见、有回报。",
                "没有潜力的：转为标准化服务（线上下单、标准交期、集中配送），减少上门次数。",
            ],
            "measure": "升级客户数、客单价、每位客户的服务成本。",
        },
        "en": {
            "goal": "Tell the promising from the rest: grow the first group, serve the second at lower "
                    "cost.",
            "actions": [
                ("Split ordinary customers by purchase size, industry outlook and recent growth into "
                 "'can grow' and 'steady'."),
                ("Can grow: plan their upgrade - widen the product lines they buy, offer one-stop service "
                 "from measuring to delivery, steer them to higher-value products."),
                ("When a customer moves up, raise their service level too, so moving up is visible and "
                 "worth it."),
                ("Steady: move them to standard service (online ordering, standard lead times, grouped "
                 "deliveries) and fewer visits."),
            ],
            "measure": "Customers upgraded, average order value, service cost per customer.",
        },
    },
    ("tier", "small"): {
        "zh": {
            "goal": "人数最多、利润最薄：控制服务成本，培养有潜力的，对长期亏损的客户果断调整。",
            "actions": [
                "找出有成长潜力的小客户（新成立、所在行业增长快、订单逐年变大），给予培育性的关注。",
                "其余客户以自助和标准化服务为主：线上下单、批量发货、统一的售后入口。",
                "对小批量、高成本的订单设置起订量，或收取加急、改单费用，必要时适当提价。",
                "对持续亏损的客户先谈条件（价格、起订量、付款方式），谈不拢就有序结束合作。",
            ],
            "measure": "小客户整体利润、亏损客户数、每单服务成本。",
        },
        "en": {
            "goal": "The most customers and the thinnest profit: keep the cost to serve low, grow the "
                    "promising ones and act on the ones that keep losing money.",
            "actions": [
                ("Find the small customers that can grow (newly founded, in a growing industry, orders "
                 "getting bigger each year) and look after them."),
                ("Serve the rest mostly through self-service and standard processes: online ordering, "
                 "batched shipping, one after-sales channel."),
                ("Set minimum order sizes for small, costly orders, or charge for rush jobs and changes; "
                 "raise prices where needed."),
                ("For customers that keep losing money, renegotiate (price, minimum order, payment terms) "
                 "first; if that fails, wind the business down in an orderly way."),
            ],
            "measure": "Total profit of small customers, number of loss-making customers, service cost "
                       "per order.",
        },
    },
    ("kind", "profit"): {
        "zh": {
            "goal": "利润率高：重点关注，让他们看到我们在进步。",
            "actions": [
                "定期通报工艺、面料和技术上的改进与突破。",
                "邀请参观新产线、参加新品发布。",
                "优先保障他们订单的质量与交期，不让小问题伤到高利润的合作。",
            ],
            "measure": "利润率是否保持、复购间隔、投诉次数。",
        },
        "en": {
            "goal": "A high profit rate: watch them closely and let them see you improving.",
            "actions": [
                "Report advances in process, fabric and technology regularly.",
                "Invite them to see new production lines and to product launches.",
                ("Protect the quality and delivery of their orders first, so small slips do not hurt a "
                 "high-margin relationship."),
            ],
            "measure": "Profit rate held, time between repeat orders, number of complaints.",
        },
    },
    ("kind", "volume"): {
        "zh": {
            "goal": "撑起业务量、利润率偏低：用规模降成本，用发展前景稳关系。",
            "actions": [
                "批量排产、集中采购，压低单位成本。",
                "及时分享企业的发展动态，例如新厂房投产、新增生产线，增强长期合作的信心。",
                "签订框架协议，锁定用量和价格区间。",
                "搭配利润更高的附加产品或服务。",
            ],
            "measure": "单位成本、毛利率变化、框架协议覆盖的业务量。",
        },
        "en": {
            "goal": "They fill the order book at a lower margin: use scale to cut cost and your growth "
                    "story to keep them.",
            "actions": [
                "Batch production and purchasing to bring the unit cost down.",
                ("Share news of your growth - a new plant, an added production line - so they trust the "
                 "partnership for the long run."),
                "Sign framework agreements that fix volumes and price ranges.",
                "Pair their orders with higher-margin add-on products or services.",
            ],
            "measure": "Unit cost, change in margin, volume covered by framework agreements.",
        },
    },
    ("kind", "relationship"): {
        "zh": {
            "goal": "人脉广、愿意转介绍：多走动，把好口碑变成新客户。",
            "actions": [
                "保持经常性的私人联络，逢年过节送上小礼物。",
                "对带来新客户的转介绍表示感谢并给予回馈。",
                "邀请参加客户活动（发布会、客户俱乐部），让他们有话可讲。",
            ],
            "measure": "转介绍带来的新客户数及其利润。",
        },
        "en": {
            "goal": "A wide circle and happy to refer others: stay close and turn their word of mouth "
                    "into new customers.",
            "actions": [
                "Keep in regular personal touch; send a small gift on holidays.",
                "Thank and reward every referral that brings a new customer.",
                ("Invite them to customer events (launches, a customer club) so they have something to "
                 "talk about."),
            ],
            "measure": "New customers from referrals and the profit they bring.",
        },
    },
    ("kind", "strategic"): {
        "zh": {
            "goal": "关系到长期形象和发展方向：保持经常联系，把合作做成标杆。",
            "actions": [
                "安排管理层定期互访，交流双方的长期规划。",
                "节假日问候不缺席，重要节点主动致意。",
                "在对方同意的前提下，把合作整理成案例，用于品牌宣传。",
            ],
            "measure": "合作年限、联合项目数、案例带来的询盘。",
        },
        "en": {
            "goal": "They matter for your long-term image and direction: stay in regular contact and "
                    "make the partnership a showcase.",
            "actions": [
                "Arrange regular visits between senior managers to share long-term plans.",
                "Never miss holiday greetings; reach out at their important moments.",
                "With their consent, write the partnership up as a case study for your brand.",
            ],
            "measure": "Years of partnership, joint projects, enquiries brought by the case study.",
        },
    },
    ("rfm", "champions"): {
        "zh": {"goal": "最近买过、买得勤、花得多：认可他们，请他们为我们说话。",
               "actions": ["给予专属礼遇或回馈，表达感谢。", "新品先请他们试用并收集意见。",
                           "邀请他们推荐同行，并感谢每一次推荐。"],
               "measure": "保持在本组的比例、转介绍数量。"},
        "en": {"goal": "Bought recently, often and for a lot: recognise them and ask them to speak for you.",
               "actions": ["Thank them with exclusive perks or rewards.",
                           "Give them new products to try first and ask what they think.",
                           "Ask for referrals and thank every one."],
               "measure": "Share still in this segment, number of referrals."},
    },
    ("rfm", "loyal"): {
        "zh": {"goal": "经常购买的老朋友：加深合作，扩大购买范围。",
               "actions": ["提供会员、返利或年度协议。", "推荐相关品类和更高档的产品。",
                           "定期征求意见，并告诉他们我们改了什么。"],
               "measure": "客单价、购买品类数、复购间隔。"},
        "en": {"goal": "Old friends who buy often: deepen the relationship and widen what they buy.",
               "actions": ["Offer membership, rebates or an annual agreement.",
                           "Suggest related categories and higher-grade products.",
                           "Ask for feedback regularly and tell them what you changed."],
               "measure": "Average order value, categories bought, time between orders."},
    },
    ("rfm", "potential_loyalist"): {
        "zh": {"goal": "最近来过、频次中等：帮他们养成在我们这里买的习惯。",
               "actions": ["介绍会员或积分计划。", "根据已买产品推荐搭配产品。",
                           "交付后回访，了解使用感受。"],
               "measure": "转为忠诚或冠军客户的比例。"},
        "en": {"goal": "Recent and fairly frequent: help them make buying from you a habit.",
               "actions": ["Introduce the membership or points scheme.",
                           "Recommend products that go with what they bought.",
                           "Follow up after delivery to hear how it went."],
               "measure": "Share moving to loyal or champions."},
    },
    ("rfm", "new"): {
        "zh": {"goal": "刚刚第一次购买：让第一次合作顺顺利利，争取第二单。",
               "actions": ["成交后第二天再次确认细节（尺码、交期、数量）。", "发货后及时联系，问问穿着或使用的反馈。",
                           "介绍其他产品线，给第二单一个理由。"],
               "measure": "90 天内的复购率。"},
        "en": {"goal": "Just made a first purchase: make the first order go smoothly and earn the second.",
               "actions": ["The day after the deal, confirm the details again (sizes, delivery date, quantities).",
                           "After delivery, call to ask how the products work for them.",
                           "Introduce your other product lines and give them a reason for a second order."],
               "measure": "Repeat purchase rate within 90 days."},
    },
    ("rfm", "promising"): {
        "zh": {"goal": "最近买过但金额不大：让他们更了解我们。",
               "actions": ["提供样品或小批量试单。", "用首次复购优惠引导下一单。",
                           "分享同行业客户的使用案例。"],
               "measure": "第二单金额、购买频次的变化。"},
        "en": {"goal": "Bought recently but not much: let them get to know you better.",
               "actions": ["Offer samples or a small trial order.", "Use a first-repeat offer to bring the next order.",
                           "Share how customers in their industry use your products."],
               "measure": "Size of the second order, change in purchase frequency."},
    },
    ("rfm", "need_attention"): {
        "zh": {"goal": "各项都在中间、开始有点松动：在滑下去之前拉一把。",
               "actions": ["了解需求有没有变化，是否有新的采购人。", "给出有时限的个性化优惠。",
                           "推荐他们行业里卖得好的产品。"],
               "measure": "下一单的间隔是否缩短。"},
        "en": {"goal": "Middling on every count and starting to slip: step in before they slide.",
               "actions": ["Find out whether their needs changed or a new buyer took over.",
                           "Make a personal offer with a deadline.",
                           "Recommend what sells well in their industry."],
               "measure": "Whether the gap to the next order shrinks."},
    },
    ("rfm", "about_to_sleep"): {
        "zh": {"goal": "购买间隔变长、金额走低：提醒他们我们还在。",
               "actions": ["发送新品资讯和季节性提醒。", "打电话了解原因，是价格、质量还是服务。",
                           "给一个回来的理由：专属优惠或免费服务。"],
               "measure": "重新下单的比例。"},
        "en": {"goal": "Longer gaps and smaller orders: remind them you are still here.",
               "actions": ["Send news of new products and seasonal reminders.",
                           "Call to ask why - price, quality or service?",
                           "Give them a reason to come back: a personal offer or a free service."],
               "measure": "Share that order again."},
    },
    ("rfm", "at_risk"): {
        "zh": {"goal": "曾经买得多又勤，却很久没来了：尽快挽回。",
               "actions": ["客户经理亲自联系，找出离开的原因。", "针对原因给出个性化的挽回方案。",
                           "把历史遗留问题一次解决干净。"],
               "measure": "挽回客户数及其利润。"},
        "en": {"goal": "Used to buy a lot and often, but not for a long time: win them back soon.",
               "actions": ["Have the account manager get in touch personally and find out why they left.",
                           "Make a win-back offer that answers that reason.",
                           "Settle any old problems once and for all."],
               "measure": "Customers won back and their profit."},
    },
    ("rfm", "cant_lose"): {
        "zh": {"goal": "曾是最大的客户之一，久未购买：绝不能拱手让给竞争对手。",
               "actions": ["由管理层出面拜访。", "认真倾听不满，给出有分量的改进承诺和条件。",
                           "挽回后安排专人重点跟进一段时间。"],
               "measure": "是否恢复下单、恢复后的利润。"},
        "en": {"goal": "Once among your biggest customers, silent for long: do not hand them to a competitor.",
               "actions": ["Have senior management visit.",
                           "Listen to the complaints and offer real improvements and terms.",
                           "Once back, keep one person following them closely for a while."],
               "measure": "Whether they order again, and the profit after they return."},
    },
    ("rfm", "hibernating"): {
        "zh": {"goal": "很久以前买过，次数少、金额小：低成本唤醒，不重投入。",
               "actions": ["用短信或邮件推送新品和优惠。", "推荐和他们以前买过的相关的产品。",
                           "不回应就减少联系频次。"],
               "measure": "唤醒率、唤醒成本。"},
        "en": {"goal": "Bought little, long ago: wake them cheaply, do not spend much.",
               "actions": ["Send new products and offers by text or e-mail.",
                           "Suggest products related to what they bought before.",
                           "If they do not respond, contact them less often."],
               "measure": "Reactivation rate, cost per reactivation."},
    },
    ("rfm", "lost"): {
        "zh": {"goal": "各项得分最低：最多做一次低成本的挽回，然后把资源留给别人。",
               "actions": ["做一次简短的流失原因调查。", "尝试一次低成本的挽回活动。",
                           "没有回应就停止投入，把原因记下来改进工作。"],
               "measure": "流失原因的分布。"},
        "en": {"goal": "Lowest on every count: at most one cheap attempt to win them back, then spend on others.",
               "actions": ["Run a short survey on why they left.", "Try one low-cost win-back campaign.",
                           "If they do not respond, stop spending and use the reasons to improve."],
               "measure": "What the reasons for leaving were."},
    },
}


# ------------------------------------------------------------------------------------------
# Cards

def tier_keys(n_tiers: int) -> list[str]:
    """The textbook card of each tier, top tier first, mapped by position.

    Four tiers give ``vip, major, ordinary, small``. Otherwise the top tier takes ``vip``, the
    bottom tier ``small``, the second tier ``major`` when there are at least four tiers, and the
    tiers in between ``ordinary``: 2 -> vip, small; 3 -> vip, ordinary, small;
    6 -> vip, major, ordinary, ordinary, ordinary, small.
    """
    if n_tiers < 1:
        raise ValueError("n_tiers must be positive")
    if n_tiers == 1:
        return ["vip"]
    keys = ["vip"] + ["ordinary"] * (n_tiers - 2) + ["small"]
    if n_tiers >= 4:
        keys[1] = "major"
    return keys


def tier_card_id(n_tiers: int, position: int) -> str:
    """Card id of the tier at ``position`` (1 = top) in a grading with ``n_tiers`` tiers."""
    return f"tier:{n_tiers}:{position}"


def group_card_id(group: str, key: str) -> str:
    return f"{group}:{key}"


def rfm_card_key(code: str) -> str:
    """The card key of an RFM segment code (``"potential"`` -> ``"potential_loyalist"``)."""
    return RFM_ALIASES.get(code, code)


def default_card(group: str, key: str, lang: str) -> dict:
    """A copy of the default card (``goal``, ``actions``, ``measure``) in ``lang``."""
    if group == "rfm":
        key = rfm_card_key(key)
    try:
        texts = DEFAULT_CARDS[(group, key)]
    except KeyError:
        raise KeyError(f"no default card for {group}/{key}") from None
    return copy.deepcopy(texts.get(lang, texts["en"]))


def card(store: dict | None, card_id: str, group: str, key: str, lang: str) -> tuple[dict, bool]:
    """The card to show: the user's edit when there is one, else the default.

    Parameters
    ----------
    store : dict or None
        The playbook annotations (``{"cards": {card_id: card}}``).

    Returns
    -------
    (card, edited)
    """
    edited = ((store or {}).get("cards") or {}).get(card_id)
    if edited:
        base = default_card(group, key, lang)
        base.update({f: copy.deepcopy(edited[f]) for f in FIELDS if f in edited})
        return base, True
    return default_card(group, key, lang), False


def set_card(store: dict, card_id: str, value: dict) -> None:
    """Keep the user's version of a card (``goal``, ``actions`` list, ``measure``)."""
    clean = {"goal": str(value.get("goal", "")).strip(),
             "actions": [a for a in (str(x).strip() for x in value.get("actions", [])) if a],
             "measure": str(value.get("measure", "")).strip()}
    store.setdefault("cards", {})[card_id] = clean


def reset_card(store: dict, card_id: str) -> None:
    """Forget the user's version of a card (back to the default)."""
    (store.get("cards") or {}).pop(card_id, None)


_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)、）]|[（(]\d+[)）])\s*")


def parse_actions(text: str) -> list[str]:
    """One action per non-empty line; leading bullets and numbers (``-``, ``•``, ``1.``) dropped."""
    out = []
    for line in str(text or "").splitlines():
        line = _BULLET.sub("", line).strip()
        if line:
            out.append(line)
    return out


def actions_text(actions: list[str]) -> str:
    """The editable text of a list of actions: one per line."""
    return "\n".join(actions)


def to_markdown(sections: list[tuple[str, list[tuple[str, dict]]]], labels: dict) -> str:
    """The playbook as a Markdown document.

    Parameters
    ----------
    sections : list of (heading, [(card title, card), ...])
    labels : dict
        ``title``, ``goal``, ``actions``, ``measure`` (words for the headings).
    """
    lines = [f"# {labels.get('title', 'Playbook')}", ""]
    for heading, cards in sections:
        lines += [f"## {heading}", ""]
        for title, c in cards:
            lines += [f"### {title}", "", f"**{labels.get('goal', 'Goal')}**: {c['goal']}", "",
                      f"**{labels.get('actions', 'Actions')}**:", ""]
            lines += [f"{i}. {a}" for i, a in enumerate(c["actions"], start=1)]
            lines += ["", f"**{labels.get('measure', 'Measure')}**: {c['measure']}", ""]
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------------------------------
# Allocation

def _cents(x: float) -> int:
    return int(Decimal(repr(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


def split_budget(budget: float, basis: list[float]) -> list[float]:
    """Split ``budget`` in proportion to the non-negative ``basis``, to the cent, summing exactly.

    Each share is floored to the cent, then the cents left over go one by one to the largest
    remainders (ties: the earlier entry).

    Raises
    ------
    InputError
        ``playbook.no_basis`` when the basis sums to zero; ``playbook.bad_number`` when a value
        is negative or not finite.
    """
    if not math.isfinite(budget) or budget < 0:
        raise InputError("playbook.bad_number", value=f"{budget}")
    for b in basis:
        if b is None or not math.isfinite(b) or b < 0:
            raise InputError("playbook.bad_number", value=f"{b}")
    total = math.fsum(basis)
    if total <= 0:
        raise InputError("playbook.no_basis")
    cents = _cents(budget)
    fracs = [Decimal(repr(float(b))) / Decimal(repr(total)) for b in basis]
    raw = [Decimal(cents) * f for f in fracs]
    floors = [int(r) for r in raw]
    left = cents - sum(floors)
    order = sorted(range(len(basis)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [c / 100 for c in floors]


def default_costs(tiers: list[dict], keys: list[str]) -> list[float]:
    """Placeholder cost to serve one customer per tier.

    ``SERVICE_INTENSITY[key]`` × the average profit per customer over all tiers, rounded to two
    significant figures (0 when the average profit is not positive or unknown).
    """
    n = sum(int(t.get("customers") or 0) for t in tiers)
    profit = [t.get("profit") for t in tiers]
    if n == 0 or any(p is None for p in profit):
        return [0.0] * len(tiers)
    avg = math.fsum(profit) / n
    if avg <= 0:
        return [0.0] * len(tiers)
    return [nice_round(SERVICE_INTENSITY.get(k, 0.5) * avg) for k in keys]


def nice_round(x: float, digits: int = 2) -> float:
    """Round to ``digits`` significant figures (``98321.4`` -> ``98000.0``)."""
    if x == 0 or not math.isfinite(x):
        return 0.0
    p = digits - 1 - math.floor(math.log10(abs(x)))
    return float(round(x, p))


def allocate(tiers: list[dict], budget: float, cost_per_customer: list[float], method: str = "profit",
            weights: list[float] | None = None) -> pd.DataFrame:
    """Service cost, profit after service and a suggested budget split per tier.

    Parameters
    ----------
    tiers : list of dict
        ``Grading.tiers`` (top tier first): ``name``, ``customers`` (int), ``profit`` (float
        amount over the loaded period).
    budget : float
        The service budget to split (same currency and period as the profit).
    cost_per_customer : list of float
        Cost to serve one customer of each tier (>= 0).
    method : {"profit", "weights"}
        ``"profit"``: in proportion to tier profit, tiers with profit <= 0 get 0;
        ``"weights"``: in proportion to ``weights`` (>= 0).

    Returns
    -------
    pandas.DataFrame
        One row per tier: ``tier`` (1 = top), ``name``, ``customers``, ``profit``,
        ``cost_per_customer``, ``current_cost`` (= cost per customer × customers),
        ``current_share`` (of the total current cost; NaN when it is 0), ``profit_after``
        (= profit − current cost), ``return_per_cost`` (= profit ÷ current cost; NaN when the
        cost is 0), ``loses_money`` (profit after service < 0), ``basis``, ``suggested``,
        ``suggested_share`` (of the budget), ``suggested_per_customer`` (NaN for an empty
        tier), ``change`` (= suggested − current cost), ``profit_after_suggested``
        (= profit − suggested).

    Raises
    ------
    InputError
        ``playbook.no_profit`` (a tier's profit is unknown), ``playbook.bad_number``,
        ``playbook.no_basis`` (nothing to split by), ``playbook.lengths``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    k = len(tiers)
    if len(cost_per_customer) != k or (method == "weights" and (weights is None or len(weights) != k)):
        raise InputError("playbook.lengths")
    if any(t.get("profit") is None for t in tiers):
        raise InputError("playbook.no_profit")
    for c in cost_per_customer:
        if c is None or not math.isfinite(c) or c < 0:
            raise InputError("playbook.bad_number", value=f"{c}")
    customers = [int(t.get("customers") or 0) for t in tiers]
    profit = [float(t["profit"]) for t in tiers]
    current = [_cents(c * n) / 100 for c, n in zip(cost_per_customer, customers)]
    basis = [max(p, 0.0) for p in profit] if method == "profit" else [float(w) for w in weights]
    suggested = split_budget(budget, basis)
    total_current = math.fsum(current)
    rows = []
    for i, t in enumerate(tiers):
        cur = current[i]
        after = round(profit[i] - cur, 2)
        rows.append({
            "tier": i + 1, "name": t.get("name", str(i + 1)), "customers": customers[i], "profit": profit[i],
            "cost_per_customer": float(cost_per_customer[i]), "current_cost": cur,
            "current_share": cur / total_current if total_current > 0 else math.nan,
            "profit_after": after,
            "return_per_cost": profit[i] / cur if cur > 0 else math.nan,
            "loses_money": after < 0,
            "basis": basis[i], "suggested": suggested[i],
            "suggested_share": suggested[i] / budget if budget > 0 else math.nan,
            "suggested_per_customer": suggested[i] / customers[i] if customers[i] else math.nan,
            "change": round(suggested[i] - cur, 2),
            "profit_after_suggested": round(profit[i] - suggested[i], 2),
        })
    return pd.DataFrame(rows)


def allocation_figure(table: pd.DataFrame, labels: dict, height: int = 380) -> go.Figure:
    """Grouped bars per tier: the current service cost beside the suggested budget.

    ``labels``: ``current``, ``suggested`` (trace names), ``y`` (axis title).
    """
    fig = go.Figure()
    fig.add_trace(go.Bar(x=table["name"], y=table["current_cost"], name=labels.get("current", "current"),
                        marker=dict(color="#9ecae1"), texttemplate="%{y:,.0f}", textposition="outside",
                        cliponaxis=False))
    fig.add_trace(go.Bar(x=table["name"], y=table["suggested"], name=labels.get("suggested", "suggested"),
                        marker=dict(color="#ff7f0e"), texttemplate="%{y:,.0f}", textposition="outside",
                        cliponaxis=False))
    fig.update_layout(
        barmode="group", height=height, autosize=True, paper_bgcolor=TRANSPARENT, plot_bgcolor=TRANSPARENT,
        font=dict(family=FONT_FAMILY, color=NEUTRAL, size=12), margin=dict(l=60, r=20, t=40, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        hoverlabel=dict(font=dict(family=FONT_FAMILY), namelength=-1))
    fig.update_yaxes(title_text=labels.get("y", ""), title_standoff=12, automargin=True, gridcolor=GRID,
                    zeroline=False, tickformat=",.0f")
    return fig
