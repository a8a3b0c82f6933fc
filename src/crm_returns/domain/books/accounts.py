"""The chart of accounts: the roles the library posts to, mapped onto the host's codes."""

from __future__ import annotations

import attrs

from crm_returns.domain._checks import text
from crm_returns.errors import InvalidInput

__all__ = ["DEFAULT_CHART", "Account", "ChartOfAccounts"]


@attrs.frozen
class Account:
    """A ledger account.

    Attributes:
        code: The host's account code, such as ``"6001"``.
        name: Its name in English.
        name_zh: Its name in Chinese.
    """

    code: str = attrs.field(validator=text(32))
    name: str = attrs.field(validator=text(200))
    name_zh: str = attrs.field(default="", validator=text(200, optional=True))


@attrs.frozen(kw_only=True)
class ChartOfAccounts:
    """The accounts the library posts to, one per role; replace any with your own.

    Attributes:
        sales_returns: Revenue reversed by a refund (contra-revenue).
        tax_payable: Output tax given back.
        shipping_revenue: Shipping charges given back.
        receivable: What is owed to the customer until the refund is paid.
        cash: Where refund payments come from.
        customer_credit: Store credit owed to customers.
        restocking_fee_income: Fees kept.
        inventory: Stock at cost.
        cost_of_goods_sold: Cost of sales, reversed when goods come back.
        scrap_loss: Goods written off.
        vendor_receivable: Cost claimed back from vendors.
    """

    sales_returns: Account = Account("6001.01", "Sales returns", "销售退回")
    tax_payable: Account = Account("2221.01", "Output VAT payable", "应交税费-销项税额")
    shipping_revenue: Account = Account("6051.01", "Shipping revenue", "运费收入")
    receivable: Account = Account("1122", "Accounts receivable", "应收账款")
    cash: Account = Account("1002", "Cash at bank", "银行存款")
    customer_credit: Account = Account("2203", "Customer credit", "预收账款-客户余额")
    restocking_fee_income: Account = Account("6051.02", "Restocking fee income", "退货手续费收入")
    inventory: Account = Account("1405", "Inventory", "库存商品")
    cost_of_goods_sold: Account = Account("6401", "Cost of goods sold", "主营业务成本")
    scrap_loss: Account = Account("6711", "Scrap loss", "报废损失")
    vendor_receivable: Account = Account("1221", "Vendor receivable", "其他应收款-供应商")

    def __attrs_post_init__(self) -> None:
        for field in attrs.fields(ChartOfAccounts):
            account = getattr(self, field.name)
            if not isinstance(account, Account):
                raise InvalidInput(f"{field.name} must be an Account, got {type(account).__name__}")

    def accounts(self) -> tuple[Account, ...]:
        """Every account in the chart."""
        return tuple(getattr(self, field.name) for field in attrs.fields(ChartOfAccounts))


#: The chart used unless a host gives its own.
DEFAULT_CHART = ChartOfAccounts()
