import matplotlib.pyplot as plt
import numpy as np

import utils
from task2a import pre_process_images
from task3 import SoftmaxTrainer, calculate_accuracy
from task3a import SoftmaxModel, one_hot_encode


def main():
    # Hyperparameters: those of task 3, with the L2 strengths the assignment names
    num_epochs = 50
    learning_rate = 0.01
    batch_size = 128
    shuffle_dataset = True
    l2_lambdas = [1.0, .1, .01, .001]  # task 4c-4e; task 4b needs 1.0 and 0

    # Load dataset
    X_train, Y_train, X_val, Y_val = utils.load_full_mnist()
    X_train = pre_process_images(X_train)
    X_val = pre_process_images(X_val)
    Y_train = one_hot_encode(Y_train, 10)
    Y_val = one_hot_encode(Y_val, 10)

    # Task 4b-4e: one model per lambda, from scratch, each on the same batches (the same seed)
    models, val_histories = {}, {}
    for l2_reg_lambda in l2_lambdas + [0]:
        np.random.seed(0)
        model = SoftmaxModel(l2_reg_lambda)
        trainer = SoftmaxTrainer(
            model, learning_rate, batch_size, shuffle_dataset,
            X_train, Y_train, X_val, Y_val, early_stopping_patience=None)
        _, val_histories[l2_reg_lambda] = trainer.train(num_epochs)
        models[l2_reg_lambda] = model
        print(f"lambda = {l2_reg_lambda}: Final Validation accuracy:",
              calculate_accuracy(X_val, Y_val, model))

    # Sized for the report, legends opaque over the curves
    plt.rcParams.update({"figure.figsize": (4.6, 3.1), "figure.constrained_layout.use": True,
                         "font.size": 11, "savefig.dpi": 200, "legend.framealpha": 1})
    # Plotting of softmax weights (task 4b): 28x28 pixel weights (no bias), 0 at mid-grey
    fig, axes = plt.subplots(2, 10, figsize=(6.4, 1.95))
    fig.get_layout_engine().set(w_pad=0.01)  # less space between the images: larger images
    for row, l2_reg_lambda in zip(axes, [0, 1.0]):
        images = models[l2_reg_lambda].w[:784].T.reshape(10, 28, 28)
        limit = np.abs(images).max()
        for digit, ax in enumerate(row):
            shown = ax.imshow(images[digit], cmap="gray", vmin=-limit, vmax=limit)
            ax.set(xticks=[], yticks=[], title=str(digit) if l2_reg_lambda == 0 else "")
        row[0].set_ylabel(f"λ = {l2_reg_lambda:g}")
        fig.colorbar(shown, ax=row, pad=0.01, aspect=7)  # its grey scale: its row's weights
    fig.suptitle("Task 4.b: weights per digit (white positive, black negative)")
    plt.savefig("task4b_softmax_weight.png")
    plt.close()

    # Plotting of the validation accuracy for each lambda (task 4c): the whole run, and the
    # last ten epochs, where the curves of lambda <= 0.01 lie close together; lambda 0 dotted
    fig, (whole, end) = plt.subplots(1, 2, figsize=(6.6, 3.0), width_ratios=[1, 1.3])
    for ax in (whole, end):
        plt.sca(ax)
        ax.set_prop_cycle(color=["tab:red", "tab:purple", "tab:green", "tab:cyan", "black"],
                          linestyle=["-", "-", "-", "-", ":"])
        for l2_reg_lambda in l2_lambdas + [0]:
            utils.plot_loss(val_histories[l2_reg_lambda]["accuracy"], f"λ = {l2_reg_lambda:g}")
        ax.set(xlabel="Number of training steps", ylabel="Accuracy")
    steps_per_epoch = X_train.shape[0] // batch_size
    whole.set(ylim=[0.65, .93], title="Whole run")
    end.set(xlim=[(num_epochs - 10) * steps_per_epoch, num_epochs * steps_per_epoch],
            ylim=[0.87, .92], yticks=np.arange(.87, .925, .01), title="Last 10 epochs")
    fig.legend(*whole.get_legend_handles_labels(), loc="outside lower center", ncols=5)
    fig.suptitle("Task 4.c: validation accuracy per λ")
    plt.savefig("task4c_l2_reg_accuracy.png")
    plt.close()

    # Task 4e - Plotting of the squared L2 norm of the weights after training, per lambda
    squared_norms = [np.sum(models[l2_reg_lambda].w**2) for l2_reg_lambda in l2_lambdas]
    plt.figure(figsize=(4.6, 3.0))
    plt.plot(l2_lambdas, squared_norms, "o-", color="tab:gray", label="With L2 regularization")
    for l2_reg_lambda, norm in zip(l2_lambdas, squared_norms):  # each value beside its point
        plt.annotate(f"{norm:.3g}", (l2_reg_lambda, norm), (-10, -17), textcoords="offset points")
    plt.axhline(np.sum(models[0].w**2), color="black", linestyle="--",
                label=f"λ = 0 (no regularization): {np.sum(models[0].w**2):#.3g}")
    plt.gca().set(xscale="log", yscale="log", xmargin=.15, ymargin=.25,
                  xlabel="λ (log scale)", ylabel="$\\|w\\|^2$ (log scale)")
    plt.grid(alpha=.3)
    plt.title("Task 4.e: squared norm of the weights")
    plt.gcf().legend(loc="outside lower center", ncols=2, fontsize=9)
    plt.savefig("task4e_l2_reg_norms.png")
    plt.close()


if __name__ == "__main__":
    main()
