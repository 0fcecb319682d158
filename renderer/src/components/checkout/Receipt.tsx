/** A sale's receipt: on screen, and the only thing printed (print stylesheet in styles/checkout.css). */
import { formatRatePercent, type CallResponse } from '../../../../preload/api';
import { formatDateTime } from '../../format';
import { money } from './format';

type ReceiptView = CallResponse<'checkout.sale.get'>;

export function Receipt({ receipt }: { receipt: ReceiptView }) {
  return (
    <article className="receipt print-area" aria-label={`Receipt ${receipt.receiptNumber}`} data-testid="receipt">
      <header>
        <h2>{receipt.storeName}</h2>
        <p>
          Receipt #{receipt.receiptNumber} · {formatDateTime(receipt.completedAt, receipt.timeZone)}
        </p>
        <p>
          {receipt.channel === 'medical' ? 'Medical sale' : 'Adult-use sale'} · {receipt.customerName} · served by {receipt.employeeName}
        </p>
        {receipt.patientName ? (
          <p>
            Patient {receipt.patientName} (licence {receipt.patientLicence}) · caregiver licence {receipt.caregiverLicence}
          </p>
        ) : receipt.patientLicence ? (
          <p>Patient licence {receipt.patientLicence}</p>
        ) : null}
        {receipt.status === 'voided' ? <p className="void-stamp">VOIDED</p> : null}
      </header>
      <table>
        <tbody>
          {receipt.lines.map((line) => (
            <tr key={line.saleLineId}>
              <td>
                {line.quantity} × {line.name}
                <div className="line-sub">{line.traceBarcode}</div>
                {line.discountCents > 0 ? <div className="line-sub">Discount −{money(line.discountCents)}</div> : null}
                {line.taxes.map((tax) => (
                  <div key={tax.label} className="line-sub">
                    {tax.label} {formatRatePercent(tax.ratePpm)}: {money(tax.cents)}
                  </div>
                ))}
                {line.returnedQuantity > 0 ? <div className="line-sub">Returned: {line.returnedQuantity}</div> : null}
              </td>
              <td className="num">{money(line.netCents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="receipt-totals">
        <dt>Subtotal</dt>
        <dd>{money(receipt.grossCents)}</dd>
        {receipt.discountCents > 0 ? (
          <>
            <dt>Discounts</dt>
            <dd>−{money(receipt.discountCents)}</dd>
          </>
        ) : null}
        {receipt.taxSummary.map((tax) => (
          <div key={tax.label} className="receipt-row">
            <dt>{tax.label}</dt>
            <dd>{money(tax.cents)}</dd>
          </div>
        ))}
        <dt className="grand">Total</dt>
        <dd className="grand" data-testid="receipt-total">
          {money(receipt.totalCents)}
        </dd>
        {receipt.tenders.map((tender, index) => (
          <div key={index} className="receipt-row">
            <dt>Paid {tender.kind.replace('_', ' ')}</dt>
            <dd>{money(tender.tenderedCents)}</dd>
          </div>
        ))}
        <dt>Change</dt>
        <dd>{money(receipt.changeCents)}</dd>
      </dl>
      {receipt.returns.map((entry, index) => (
        <p key={index} className="line-sub" data-testid="receipt-return">
          {entry.kind === 'void' ? 'Voided' : 'Returned'} {formatDateTime(entry.at, receipt.timeZone)}
          {entry.kind === 'return' ? `: ${entry.lines.map((line) => `${line.quantity} × ${line.name}`).join(', ')}` : ''}; refund {money(entry.refundCents)} by{' '}
          {entry.refundTender.replace('_', ' ')} ({entry.reason})
          {entry.trace ? ` · state reporting: ${entry.trace.state === 'acknowledged' ? 'reported' : entry.trace.state === 'pending' || entry.trace.state === 'in_flight' ? 'queued' : entry.trace.state}` : ''}
        </p>
      ))}
      {receipt.trace ? (
        <p className="line-sub" data-testid="receipt-trace">
          State reporting: {receipt.trace.state === 'acknowledged' ? `reported (${receipt.trace.remoteTxnId})` : receipt.trace.state === 'pending' ? 'queued, will be reported' : receipt.trace.state}
        </p>
      ) : null}
      <p className="rounding">{receipt.rounding}</p>
    </article>
  );
}
